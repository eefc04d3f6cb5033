"""Capture in the browser, with Chromium's fake camera and microphone: a webcam picture and
a microphone recording reach the function with the expected shape, `.stream()` delivers
chunks every `stream_every` seconds until stopped (or until its time_limit), and a
streaming Audio output plays its chunks one after another."""

from __future__ import annotations

import importlib.util
import re
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

import porch as gr
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser

FAKE_RATE = 48000


@pytest.fixture(scope="module")
def fake_voice(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A WAV the fake microphone plays (in a loop): a 440 Hz tone at half scale."""
    path = tmp_path_factory.mktemp("media") / "voice.wav"
    t = np.arange(FAKE_RATE * 2) / FAKE_RATE
    samples = (0.5 * 32767 * np.sin(2 * np.pi * 440 * t)).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(FAKE_RATE)
        out.writeframes(samples.tobytes())
    return path


@pytest.fixture(scope="module")
def browser(fake_voice: Path) -> Iterator[Browser]:
    """This module's chromium: fake devices, permission granted, autoplay allowed."""
    args = [*CHROMIUM_ARGS, "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream", f"--use-file-for-fake-audio-capture={fake_voice}",
            "--autoplay-policy=no-user-gesture-required"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
        yield browser
        browser.close()


def output_text(page: Page) -> Any:
    return page.get_by_label("out")


def test_webcam_picture_reaches_the_function_as_an_array(open_app: Any) -> None:
    with gr.Blocks() as demo:
        cam = gr.Image(sources=["webcam"], label="cam")
        out = gr.Textbox(label="out")
        cam.change(lambda img: "none" if img is None else f"{img.shape} {img.dtype}", cam, out)
    page = open_app(demo)
    page.get_by_role("button", name="Open webcam").click()
    expect(page.locator("video.porch-webcam")).to_be_visible()
    page.get_by_role("button", name="Take a picture").click()
    expect(output_text(page)).to_have_value(re.compile(r"^\(\d+, \d+, 3\) uint8$"))
    shape = output_text(page).input_value().split(")")[0].strip("(").split(", ")
    assert int(shape[0]) >= 120 and int(shape[1]) >= 160
    # The picture is now the value, shown as an image; the camera is closed.
    expect(page.locator("img.porch-image")).to_be_visible()
    expect(page.locator("video.porch-webcam")).to_have_count(0)


def test_microphone_recording_reaches_the_function(open_app: Any) -> None:
    with gr.Blocks() as demo:
        mic = gr.Audio(sources=["microphone"], label="mic")
        out = gr.Textbox(label="out")

        def heard(audio: tuple[int, np.ndarray]) -> str:
            rate, samples = audio
            return f"{rate} {samples.ndim} {samples.dtype} {len(samples)} {int(abs(samples).max())}"

        mic.stop_recording(heard, mic, out)
    page = open_app(demo)
    page.get_by_role("button", name="Record (microphone)").click()
    expect(page.locator(".porch-capturing")).to_have_count(1)
    page.wait_for_timeout(1200)
    page.get_by_role("button", name="Stop").click()
    expect(output_text(page)).to_have_value(re.compile(r"^44100 1 int16 \d+ \d+$"))
    rate, _, _, count, peak = output_text(page).input_value().split()
    assert int(count) > int(rate) // 2  # most of the 1.2 s we recorded
    assert peak and int(peak) > 5000  # the fake microphone's tone, not silence
    expect(page.locator("audio.porch-audio")).to_have_count(1)


def test_microphone_stream_sends_chunks_every_stream_every(open_app: Any) -> None:
    with gr.Blocks() as demo:
        mic = gr.Audio(sources=["microphone"], streaming=True, label="mic")
        out = gr.Textbox(label="out")
        sizes = gr.State([])

        def listen(chunk: tuple[int, np.ndarray], seen: list[int]) -> tuple[str, list[int]]:
            seen = [*seen, len(chunk[1])]
            return f"{len(seen)} chunks: {seen}", seen

        mic.stream(listen, [mic, sizes], [out, sizes], stream_every=0.3)
    page = open_app(demo)
    page.get_by_role("button", name="Start streaming (microphone)").click()
    expect(output_text(page)).to_have_value(re.compile(r"^[4-9]\d* chunks|^\d{2,} chunks"),
                                            timeout=15_000)
    page.get_by_role("button", name="Stop").click()
    sizes_seen = [int(n) for n in re.findall(r"\d+", output_text(page).input_value())[1:]]
    # Each chunk holds the sound since the last one: about stream_every seconds at 44.1 kHz
    # (more when a busy machine delayed a tick, never nothing).
    assert all(n > 0.05 * 44100 for n in sizes_seen), sizes_seen
    assert 0.15 * 44100 < sorted(sizes_seen)[len(sizes_seen) // 2] < 0.9 * 44100, sizes_seen
    expect(page.get_by_role("button", name="Start streaming (microphone)")).to_be_visible()


def test_webcam_stream_and_its_time_limit(open_app: Any) -> None:
    with gr.Blocks() as demo:
        cam = gr.Image(sources=["webcam"], streaming=True, label="cam")
        out = gr.Textbox(label="out")
        frames = gr.State(0)

        def watch(frame: np.ndarray, seen: int) -> tuple[str, int]:
            return f"{seen + 1} frames of {frame.shape}", seen + 1

        cam.stream(watch, [cam, frames], [out, frames], stream_every=0.2, time_limit=2)
    page = open_app(demo)
    page.get_by_role("button", name="Start streaming (webcam)").click()
    expect(output_text(page)).to_have_value(
        re.compile(r"^([3-9]|\d{2,}) frames of \(\d+, \d+, 3\)"))
    # The server ends the stream after time_limit; the page stops the camera.
    expect(page.get_by_role("button", name="Start streaming (webcam)")).to_be_visible(
        timeout=10_000)
    expect(page.locator("video.porch-webcam")).to_have_count(0)
    frames_seen = int(output_text(page).input_value().split()[0])
    assert 3 <= frames_seen <= 2 / 0.2 + 2


def test_webcam_video_recording(open_app: Any) -> None:
    with gr.Blocks() as demo:
        cam = gr.Video(sources=["webcam"], label="cam")
        out = gr.Textbox(label="out")
        cam.stop_recording(lambda path: f"{Path(path).suffix} {Path(path).stat().st_size > 1000}",
                           cam, out)
    page = open_app(demo)
    page.get_by_role("button", name="Record (webcam)").click()
    page.wait_for_timeout(1000)
    page.get_by_role("button", name="Stop").click()
    expect(output_text(page)).to_have_value(".webm True")
    expect(page.locator("video.porch-video")).to_have_count(1)


def test_streaming_audio_output_plays_its_chunks_in_order(open_app: Any) -> None:
    rate = 16000

    def speak() -> Iterator[tuple[int, np.ndarray]]:
        for k in range(3):
            t = np.arange(int(rate * 0.3)) / rate
            yield rate, (0.3 * np.sin(2 * np.pi * (300 + 100 * k) * t)).astype(np.float32)

    with gr.Blocks() as demo:
        go = gr.Button("Speak")
        speaker = gr.Audio(streaming=True, autoplay=True, label="speaker")
        go.click(speak, None, speaker)
    page = open_app(demo)
    page.get_by_role("button", name="Speak").click()
    player = page.locator("audio.porch-stream-player")
    expect(player).to_have_attribute("data-porch-played", "3", timeout=15_000)
    # One player throughout; it ends on the last chunk.
    expect(player).to_have_count(1)
    assert player.evaluate("a => a.ended") is True


def test_an_image_pasted_from_the_clipboard_is_uploaded(open_app: Any) -> None:
    with gr.Blocks() as demo:
        pasted = gr.Image(sources=["clipboard"], label="pasted")
        out = gr.Textbox(label="out")
        pasted.change(lambda img: "none" if img is None else str(img.shape), pasted, out)
    page = open_app(demo)
    page.get_by_role("button", name="Drop an image here, click to upload, or paste it").evaluate(
        """async (el) => {
            const canvas = document.createElement("canvas");
            canvas.width = 7;
            canvas.height = 5;
            const blob = await new Promise((ok) => canvas.toBlob(ok, "image/png"));
            const data = new DataTransfer();
            data.items.add(new File([blob], "pasted.png", { type: "image/png" }));
            el.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true }));
        }""")
    expect(output_text(page)).to_have_value("(5, 7, 3)")


def test_the_example_app_records_to_mp3_and_plays_a_chime(open_app: Any) -> None:
    spec = importlib.util.spec_from_file_location(
        "porch_example_media_capture", Path(__file__).resolve().parents[2] / "examples" /
        "media_capture.py")
    assert spec is not None and spec.loader is not None
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    page = open_app(example.demo)
    page.get_by_role("tab", name="Record").click()
    page.get_by_role("button", name="Record (microphone)").click()
    page.wait_for_timeout(800)
    page.get_by_role("button", name="Stop").click()
    mp3 = page.locator("audio[aria-label='as MP3']")
    expect(mp3).to_have_attribute("src", re.compile(r"\.mp3$"))
    response = page.request.get(mp3.get_attribute("src") or "")
    assert response.ok and response.headers["content-type"] == "audio/mpeg"
    page.get_by_role("tab", name="Streaming output").click()
    page.get_by_role("button", name="Play").click()
    player = page.locator("audio.porch-stream-player")
    expect(player).to_have_attribute("data-porch-played", "5", timeout=15_000)
