"""The smallest porch app: type a name, get a greeting."""

import porch as gr


def greet(name: str) -> str:
    return "Hello " + name + "!"


demo = gr.Interface(greet, "text", "text", title="Hello")

if __name__ == "__main__":
    demo.launch()
