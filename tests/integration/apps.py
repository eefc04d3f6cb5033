"""Small apps the integration and compat tests serve."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator

import porch as gr


def greet(name: str) -> str:
    return "Hello " + name + "!"


def greet_app() -> gr.Interface:
    return gr.Interface(greet, "text", "text")


def counting(n: float) -> Iterator[str]:
    text = ""
    for i in range(int(n)):
        text += f"{i} "
        yield text
        time.sleep(0.05)


async def async_counting(n: float) -> AsyncIterator[str]:
    for i in range(int(n)):
        yield str(i)
        await asyncio.sleep(0.01)


async def shout(text: str) -> str:
    await asyncio.sleep(0)
    return text.upper()


def fail(text: str) -> str:
    raise gr.Error(f"Custom failure: {text}", title="Bad input", duration=5)


def crash(text: str) -> str:
    raise RuntimeError("secret internal detail " + text)


def add(a: float, b: float) -> float:
    return a + b


def remember(word: str, words: list[str]) -> tuple[str, list[str]]:
    words = [*words, word]
    return ", ".join(words), words


# (start, end) of every slow() call, so tests can see which calls overlapped.
slow_calls: list[tuple[float, float]] = []


def slow(seconds: float) -> float:
    start = time.monotonic()
    time.sleep(seconds)
    slow_calls.append((start, time.monotonic()))
    return seconds


def overlapped(calls: list[tuple[float, float]]) -> bool:
    return max(start for start, _ in calls) < min(end for _, end in calls)


def chatty(text: str) -> str:
    gr.Info("starting " + text)
    gr.Warning("almost done")
    return text


def kitchen_sink(concurrency: int = 2) -> gr.Blocks:
    """One Blocks app with an endpoint per behaviour the protocol must carry."""
    with gr.Blocks(title="sink") as demo:
        name = gr.Textbox(label="name")
        out = gr.Textbox(label="out")
        number = gr.Number(label="n", value=3)
        a = gr.Number(label="a", value=1)
        b = gr.Number(label="b")
        total = gr.Number(label="total")
        words = gr.State([])
        button = gr.Button("Go")
        button.click(greet, name, out, api_name="greet")
        button.click(counting, number, out, api_name="count")
        button.click(async_counting, number, out, api_name="acount")
        button.click(shout, name, out, api_name="shout")
        button.click(fail, name, out, api_name="fail")
        button.click(crash, name, out, api_name="crash")
        button.click(add, [a, b], total, api_name="add")
        button.click(remember, [name, words], [out, words], api_name="remember")
        button.click(slow, number, total, api_name="slow", concurrency_limit=concurrency)
        button.click(slow, number, total, api_name="slow_one")
        button.click(chatty, name, out, api_name="chatty")
    return demo
