import time

import porch as gr


def slowly_reverse(word, progress=gr.Progress()):
    progress(0, desc="Starting")
    time.sleep(0.1)
    new_string = ""
    for letter in progress.tqdm(word, desc="Reversing"):
        time.sleep(0.02)
        new_string = letter + new_string
    return new_string


demo = gr.Interface(slowly_reverse, gr.Text(), gr.Text())

if __name__ == "__main__":
    demo.launch()
