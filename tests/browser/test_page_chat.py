"""Chat and Interface features in chromium: likes, retry, multimodal uploads, files in
messages, cached and live examples, flagging, tabs of interfaces."""

from __future__ import annotations

import csv
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from playwright.sync_api import Page, expect

import porch as gr

pytestmark = pytest.mark.browser


def open_page(page: Page, url: str) -> Page:
    page.goto(url)
    page.wait_for_selector("html[data-porch=ready]")
    return page


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("chat-pages")


@pytest.fixture(scope="module")
def urls(serve_for_module: Callable[[Any], str], workdir: Path) -> Iterator[dict[str, str]]:
    picture = workdir / "dot.png"
    from PIL import Image

    Image.fromarray(np.full((8, 8, 3), 200, dtype=np.uint8)).save(picture)

    with gr.Blocks() as likes:
        bot = gr.Chatbot([{"role": "user", "content": "hi"},
                          {"role": "assistant", "content": "hello **there**"},
                          {"role": "assistant", "content": (str(picture), "a dot")}],
                         show_copy_button=True, label="Chat", avatar_images=(None, str(picture)))
        said = gr.Textbox(label="Feedback")

        def liked(evt: gr.LikeData) -> str:
            return f"{evt.index} {evt.liked} {evt.value}"

        bot.like(liked, None, said)

    def retrying(message: str, history: list[dict[str, Any]]) -> Iterator[str]:
        count = sum(1 for m in history if m["role"] == "assistant")
        yield f"reply to {message} after {count}"

    def files_bot(message: dict[str, Any], history: list[Any]) -> str:
        texts = [Path(p).read_text() for p in message["files"]]
        return f"{message['text']}: {', '.join(texts)}"

    calls: list[str] = []

    def upper(text: str) -> str:
        return text.upper()

    def lower(text: str) -> str:
        return text.lower()

    def cached(text: str) -> str:
        calls.append(text)
        return text[::-1]

    flagged = gr.Interface(lambda n: n * 3, gr.Number(label="n"), gr.Number(label="tripled"),
                           flagging_mode="manual", flagging_dir=str(workdir / "manual"))
    auto = gr.Interface(lambda n: n + 1, gr.Number(label="n"), gr.Number(label="next"),
                        flagging_mode="auto", flagging_dir=str(workdir / "auto"))
    with gr.Blocks() as paged:
        gr.Chatbot(placeholder="**Ask** me anything", avatar_images=(None, str(picture)),
                   label="Empty")
        word = gr.Textbox(label="Word")
        gr.Examples([f"word{i}" for i in range(12)], word, examples_per_page=5)

    yield {
        "paged": serve_for_module(paged),
        "likes": serve_for_module(likes),
        "retry": serve_for_module(gr.ChatInterface(retrying)),
        "multimodal": serve_for_module(gr.ChatInterface(files_bot, multimodal=True)),
        "cached": serve_for_module(gr.Interface(cached, "text", "text",
                                                examples=["abc", "porch"],
                                                cache_examples=True)),
        "live": serve_for_module(gr.Interface(upper, "text", "text", live=True,
                                              examples=["quiet"])),
        "flag": serve_for_module(flagged),
        "auto": serve_for_module(auto),
        "tabs": serve_for_module(gr.TabbedInterface(
            [gr.Interface(upper, "text", "text"),
             gr.Interface(lower, gr.Textbox(label="in"), gr.Textbox(label="low"))],
            ["Upper", "Lower"])),
    }
    assert calls == ["abc", "porch"]  # cached once at launch, never on click


def test_like_sends_like_data(page: Page, urls: dict[str, str]) -> None:
    open_page(page, urls["likes"])
    expect(page.locator(".porch-msg-assistant strong")).to_have_text("there")
    image = page.locator(".porch-chat-image")
    expect(image).to_have_attribute("alt", "a dot")
    assert "/gradio_api/file=" in (image.get_attribute("src") or "")
    page.get_by_role("button", name="Like").first.click()
    expect(page.get_by_label("Feedback")).to_have_value("1 True hello **there**")
    page.get_by_role("button", name="Dislike").first.click()
    expect(page.get_by_label("Feedback")).to_have_value("1 False hello **there**")
    assert page.get_by_role("button", name="Copy message").count() == 3
    avatars = page.locator(".porch-msg-assistant .porch-chat-avatar")
    expect(avatars).to_have_count(2)  # the developer's file, served from the cache
    assert "/gradio_api/file=" in (avatars.first.get_attribute("src") or "")
    assert page.locator(".porch-msg-user .porch-chat-avatar").count() == 0


def test_examples_pages_and_chatbot_placeholder(page: Page, urls: dict[str, str]) -> None:
    open_page(page, urls["paged"])
    expect(page.locator(".porch-chat-placeholder strong")).to_have_text("Ask")
    samples = page.locator(".porch-sample")
    expect(samples).to_have_count(5)
    pages = page.get_by_role("navigation", name="Example pages").get_by_role("button")
    expect(pages).to_have_text(["1", "2", "3"])
    pages.nth(2).click()
    expect(samples).to_have_text(["word10", "word11"])
    samples.nth(1).click()
    expect(page.get_by_label("Word")).to_have_value("word11")


def test_retry_runs_the_last_message_again(page: Page, urls: dict[str, str]) -> None:
    open_page(page, urls["retry"])
    box = page.get_by_role("textbox", name="Message")
    box.fill("one")
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".porch-msg-assistant")).to_have_text(["reply to one after 0"])
    box.fill("two")
    box.press("Enter")
    expect(page.locator(".porch-msg-assistant").last).to_have_text("reply to two after 1")
    page.get_by_role("button", name="Retry the last message").click()
    expect(page.locator(".porch-msg-assistant")).to_have_count(2)
    expect(page.locator(".porch-msg-user")).to_have_text(["one", "two"])


def test_multimodal_upload_reaches_the_function(page: Page, urls: dict[str, str],
                                                workdir: Path) -> None:
    note = workdir / "note.txt"
    note.write_text("NOTE BODY")
    open_page(page, urls["multimodal"])
    page.locator(".porch-mm input[type=file]").set_input_files(str(note))
    expect(page.locator(".porch-mm-chip")).to_contain_text("note.txt")
    box = page.get_by_role("textbox", name="Message")
    box.fill("read")
    box.press("Enter")
    expect(page.locator(".porch-msg-assistant")).to_have_text(["read: NOTE BODY"])
    expect(page.locator(".porch-msg-user .porch-file-link")).to_have_text("note.txt")
    expect(page.locator(".porch-mm-chip")).to_have_count(0)


def test_cached_example_shows_outputs_at_once(page: Page, urls: dict[str, str]) -> None:
    open_page(page, urls["cached"])
    page.locator(".porch-sample", has_text="porch").click()
    expect(page.get_by_label("output")).to_have_value("hcrop")
    expect(page.get_by_role("textbox", name="text")).to_have_value("porch")


def test_live_interface_reruns_on_typing(page: Page, urls: dict[str, str]) -> None:
    open_page(page, urls["live"])
    assert page.get_by_role("button", name="Submit").count() == 0
    page.get_by_role("textbox", name="text").fill("live text")
    expect(page.get_by_label("output")).to_have_value("LIVE TEXT")
    page.locator(".porch-sample").click()
    expect(page.get_by_label("output")).to_have_value("QUIET")


def read_rows(path: Path) -> list[list[str]]:
    deadline = time.monotonic() + 10
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    with path.open(newline="") as f:
        return list(csv.reader(f))


def test_manual_flag_button(page: Page, urls: dict[str, str], workdir: Path) -> None:
    open_page(page, urls["flag"])
    page.get_by_role("spinbutton", name="n", exact=True).fill("5")
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_role("spinbutton", name="tripled")).to_have_value("15")
    page.get_by_role("button", name="Flag").click()
    expect(page.get_by_role("status").filter(has_text="Flagged")).to_be_visible()
    rows = read_rows(workdir / "manual" / "dataset.csv")
    assert rows[0] == ["n", "tripled", "flag", "timestamp"]
    assert [float(rows[1][0]), float(rows[1][1]), rows[1][2]] == [5, 15, ""]


def test_auto_flagging_after_each_run(page: Page, urls: dict[str, str], workdir: Path) -> None:
    open_page(page, urls["auto"])
    assert page.get_by_role("button", name="Flag").count() == 0
    page.get_by_role("spinbutton", name="n", exact=True).fill("41")
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_role("spinbutton", name="next")).to_have_value("42")
    rows = read_rows(workdir / "auto" / "dataset.csv")
    assert [float(v) for v in rows[-1][:2]] == [41, 42]


def test_tabbed_interface_switches_between_apps(page: Page, urls: dict[str, str]) -> None:
    open_page(page, urls["tabs"])
    page.get_by_role("textbox", name="text").fill("MiXed")
    page.get_by_role("button", name="Submit").first.click()
    expect(page.get_by_label("output")).to_have_value("MIXED")
    page.get_by_role("tab", name="Lower").click()
    page.get_by_role("textbox", name="in").fill("MiXed")
    page.get_by_role("button", name="Submit").click()  # the hidden tab's is not offered
    expect(page.get_by_role("textbox", name="low")).to_have_value("mixed")
