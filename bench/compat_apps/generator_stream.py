import time

import porch as gr


def count_up(n):
    text = ""
    for i in range(int(n)):
        text += f"{i} "
        time.sleep(0.02)
        yield text


demo = gr.Interface(count_up, gr.Number(value=5, label="How many"), gr.Textbox(label="Counting"))

if __name__ == "__main__":
    demo.launch()
