import time

import porch as gr


def slow_echo(message, history):
    for i in range(len(message)):
        time.sleep(0.01)
        yield "You typed: " + message[: i + 1]


demo = gr.ChatInterface(slow_echo, type="messages", examples=["hello", "hola", "merhaba"],
                        title="Echo Bot")

if __name__ == "__main__":
    demo.launch()
