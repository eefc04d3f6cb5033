"""A streaming chatbot: a fake "model" that echoes the message back, one word at a time."""

import time
from collections.abc import Iterator

import porch as gr


def echo(message: str, history: list[dict]) -> Iterator[str]:
    turns = sum(1 for m in history if m["role"] == "user") + 1
    words = f"(turn {turns}) You said: {message}".split()
    for count in range(1, len(words) + 1):
        time.sleep(0.05)
        yield " ".join(words[:count])


demo = gr.ChatInterface(
    echo,
    examples=["Hello!", "What can you do?", "Tell me a **markdown** joke"],
    title="Echo bot",
    description="A stand-in for a language model: it streams your message back, word by word.",
)

if __name__ == "__main__":
    demo.launch()
