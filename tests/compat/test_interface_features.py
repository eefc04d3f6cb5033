"""Interface examples, caching and flagging; TabbedInterface; ChatInterface's /chat — driven
over the wire with the official gradio_client."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

import porch as gr
from porch.errors import ConfigError, FileNotAllowed

gradio_client = pytest.importorskip("gradio_client", reason="install the test extras")
from gradio_client import Client, handle_file  # noqa: E402
from gradio_client.exceptions import AppError  # noqa: E402

pytestmark = pytest.mark.compat


def client_for(url: str, tmp_path: Path) -> Client:
    return Client(url, verbose=False, download_files=str(tmp_path / "downloads"))


def dependency(url: str, api_name: str) -> dict[str, Any]:
    config = httpx.get(url + "/config").json()
    found: dict[str, Any] = next(d for d in config["dependencies"] if d["api_name"] == api_name)
    return found


# ---- examples -------------------------------------------------------------------------------
def test_clicking_an_example_loads_its_values(serve: Callable[..., str], tmp_path: Path) -> None:
    demo = gr.Interface(lambda a, b: a + b, ["number", "number"], "number",
                        examples=[[1, 2], [30, 40]])
    url = serve(demo)
    config = httpx.get(url + "/config").json()
    dataset = next(c for c in config["components"] if c["type"] == "dataset")
    assert dataset["props"]["samples"] == [[1, 2], [30, 40]]
    assert dataset["props"]["headers"] == ["a", "b"]
    client = client_for(url, tmp_path)
    assert client.predict(1, api_name="/load_example") == (30, 40)
    assert "/load_example" not in client.view_api(print_info=False,
                                                  return_format="dict")["named_endpoints"]


def test_cache_examples_runs_each_example_at_launch(serve: Callable[..., str],
                                                    tmp_path: Path) -> None:
    calls: list[str] = []

    def shout(text: str) -> str:
        calls.append(text)
        return text.upper() + "!"

    demo = gr.Interface(shout, "text", "text", examples=["hi", "yo"], cache_examples=True)
    url = serve(demo)
    assert calls == ["hi", "yo"]
    client = client_for(url, tmp_path)
    assert client.predict(1, api_name="/load_example") == ("yo", "YO!")
    assert calls == ["hi", "yo"]  # shown from the cache, not run again


def test_lazy_cache_runs_an_example_on_its_first_click_only(serve: Callable[..., str],
                                                            tmp_path: Path) -> None:
    calls: list[str] = []

    def count(text: str) -> int:
        calls.append(text)
        return len(text)

    demo = gr.Interface(count, "text", "number", examples=["abc", "hello"],
                        cache_examples="lazy")
    client = client_for(serve(demo), tmp_path)
    assert calls == []
    assert client.predict(1, api_name="/load_example") == ("hello", 5)
    assert client.predict(1, api_name="/load_example") == ("hello", 5)
    assert calls == ["hello"]


def test_example_files_pass_the_gate_like_outputs(serve: Callable[..., str], tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sample.txt").write_text("example body")
    demo = gr.Interface(lambda f: Path(f).read_text(), gr.File(), "text",
                        examples=[[str(tmp_path / "sample.txt")]], cache_examples=True)
    url = serve(demo)
    config = httpx.get(url + "/config").json()
    cell = next(c for c in config["components"] if c["type"] == "dataset")["props"]["samples"][0][0]
    assert cell["path"] != str(tmp_path / "sample.txt")  # a cache copy, not the original
    assert httpx.get(url + cell["url"].split(url, 1)[-1]).text == "example body"
    client = client_for(url, tmp_path)
    _, output = client.predict(0, api_name="/load_example")
    assert output == "example body"


def test_example_file_outside_the_grants_stops_the_launch(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          serve: Callable[..., str]) -> None:
    monkeypatch.chdir(tmp_path)
    outside = tmp_path.parent / f"{tmp_path.name}-outside.txt"
    outside.write_text("not granted")
    demo = gr.Interface(lambda f: f, gr.File(), gr.File(), examples=[[str(outside)]])
    # Strict rules: the temp dir (where tmp_path lives) grants nothing.
    with pytest.raises(FileNotAllowed, match="allowed_paths"):
        serve(demo, strict_files=True)


# ---- live -----------------------------------------------------------------------------------
def test_live_interface_has_no_submit_button_and_runs_on_change(serve: Callable[..., str]
                                                                 ) -> None:
    demo = gr.Interface(str.upper, "text", "text", live=True)
    url = serve(demo)
    config = httpx.get(url + "/config").json()
    labels = [c["props"].get("value") for c in config["components"] if c["type"] == "button"]
    assert "Submit" not in labels
    dep = dependency(url, "upper")
    assert [event for _, event in dep["targets"]] == ["change"]


# ---- flagging -------------------------------------------------------------------------------
def test_manual_flagging_writes_a_csv_and_copies_files(serve: Callable[..., str],
                                                       tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    demo = gr.Interface(lambda text, f: text[::-1], ["text", gr.File(label="doc")], "text",
                        flagging_mode="manual", flagging_options=["good", "bad"])
    url = serve(demo)
    config = httpx.get(url + "/config").json()
    labels = [c["props"].get("value") for c in config["components"] if c["type"] == "button"]
    assert {"Flag as good", "Flag as bad"} <= set(labels)
    (tmp_path / "doc.txt").write_text("flag me")
    client = client_for(url, tmp_path)
    flag_bad = next(d for d in config["dependencies"] if d["api_name"] == "flag_1")
    client.predict("abc", handle_file(str(tmp_path / "doc.txt")), "cba",
                   fn_index=flag_bad["id"])
    with (tmp_path / ".porch" / "flagged" / "dataset.csv").open(newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["text", "doc", "output", "flag", "timestamp"]
    text, doc, output, flag, _ = rows[1]
    assert (text, output, flag) == ("abc", "cba", "bad")
    assert (tmp_path / ".porch" / "flagged" / doc).read_text() == "flag me"
    # The flagged data sits in a dot folder: never served, whatever the spelling.
    for path in (".porch/flagged/dataset.csv", f"{tmp_path}/.porch/flagged/{doc}"):
        assert httpx.get(f"{url}/gradio_api/file={path}").status_code in (403, 404)


def test_auto_flagging_is_chained_after_each_successful_run(serve: Callable[..., str]
                                                            ) -> None:
    demo = gr.Interface(lambda x: x * 2, "number", "number", flagging_mode="auto")
    url = serve(demo)
    run = dependency(url, "predict")
    flag = dependency(url, "flag")
    assert flag["trigger_after"] == run["id"] and flag["trigger_only_on_success"]
    assert flag["inputs"] == [*run["inputs"], *run["outputs"]]
    labels = [c["props"].get("value") for c in httpx.get(url + "/config").json()["components"]
              if c["type"] == "button"]
    assert "Flag" not in labels


def test_flagging_refuses_a_path_the_client_wrote(serve: Callable[..., str], tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET")
    flags = tmp_path / "flags"
    with gr.Blocks() as demo:
        doc = gr.File()
        logger = gr.CSVLogger()
        logger.setup([doc], flags)
        gr.Button().click(lambda f: logger.flag([f]), doc, None, api_name="flag",
                          preprocess=False)
    url = serve(demo)
    forged = {"path": str(secret), "meta": {"_type": "gradio.FileData"}}
    event = httpx.post(f"{url}/gradio_api/call/flag", json={"data": [forged]}).json()
    body = httpx.get(f"{url}/gradio_api/call/flag/{event['event_id']}").text
    assert "error" in body
    copied = [p for p in flags.rglob("*") if p.is_file() and "SECRET" in p.read_text()]
    assert copied == []


def test_flagging_mode_is_checked() -> None:
    with pytest.raises(ConfigError, match="flagging_mode"):
        gr.Interface(str, "text", "text", flagging_mode="sometimes")


# ---- TabbedInterface ------------------------------------------------------------------------
def test_tabbed_interface_keeps_each_apps_endpoints(serve: Callable[..., str],
                                                    tmp_path: Path) -> None:
    def greet(name: str) -> str:
        return f"Hello {name}"

    def shout(name: str) -> str:
        return name.upper()

    first = gr.Interface(greet, "text", "text", examples=["Ann"], cache_examples=True)
    second = gr.Interface(shout, "text", "text")
    demo = gr.TabbedInterface([first, second], ["Greet", "Shout"], title="Two tools")
    url = serve(demo)
    config = httpx.get(url + "/config").json()
    tabs = [c["props"]["label"] for c in config["components"] if c["type"] == "tabitem"]
    assert tabs == ["Greet", "Shout"]
    client = client_for(url, tmp_path)
    assert client.predict("Bo", api_name="/greet") == "Hello Bo"
    assert client.predict("Bo", api_name="/shout") == "BO"
    assert client.predict(0, api_name="/load_example") == ("Ann", "Hello Ann")


# ---- ChatInterface --------------------------------------------------------------------------
def test_chat_endpoint_streams_and_keeps_history(serve: Callable[..., str],
                                                 tmp_path: Path) -> None:
    def bot(message: str, history: list[dict[str, Any]]) -> Any:
        reply = f"{len(history) // 2}: {message}"
        for end in range(1, len(reply) + 1):
            yield reply[:end]

    client = client_for(serve(gr.ChatInterface(bot)), tmp_path)
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert list(endpoints) == ["/chat"]
    assert [p["parameter_name"] for p in endpoints["/chat"]["parameters"]] == ["message"]
    job = client.submit("hi", api_name="/chat")
    assert job.result() == "0: hi"
    assert len(job.outputs()) > 2  # streamed
    assert client.predict("again", api_name="/chat") == "1: again"


def test_chat_additional_inputs_and_errors(serve: Callable[..., str], tmp_path: Path) -> None:
    def bot(message: str, history: list[Any], prefix: str, times: float) -> str:
        if message == "boom":
            raise gr.Error("Bad message")
        return prefix + message * int(times)

    demo = gr.ChatInterface(bot, additional_inputs=[gr.Textbox(label="prefix"),
                                                    gr.Number(value=2, label="times")])
    client = client_for(serve(demo), tmp_path)
    assert client.predict("ab", "> ", 3, api_name="/chat") == "> ababab"
    with pytest.raises(AppError, match="Bad message"):
        client.predict("boom", "", 1, api_name="/chat")


def test_multimodal_chat_gets_uploaded_files(serve: Callable[..., str], tmp_path: Path) -> None:
    def bot(message: dict[str, Any], history: list[Any]) -> str:
        names = [Path(p).read_text() for p in message["files"]]
        return f"{message['text']} + {names}"

    (tmp_path / "a.txt").write_text("AAA")
    client = client_for(serve(gr.ChatInterface(bot, multimodal=True)), tmp_path)
    reply = client.predict({"text": "files", "files": [handle_file(str(tmp_path / "a.txt"))]},
                           api_name="/chat")
    assert reply == "files + ['AAA']"


def test_chat_ui_event_shows_user_message_then_reply(serve: Callable[..., str],
                                                     tmp_path: Path) -> None:
    demo = gr.ChatInterface(lambda m, h: f"echo {m}")
    url = serve(demo)
    respond = dependency(url, "_respond")
    client = client_for(url, tmp_path)
    box, history = client.predict("yo", [], fn_index=respond["id"])
    assert box == ""
    assert [(m["role"], m["content"][0]["text"]) for m in history] == [
        ("user", "yo"), ("assistant", "echo yo")]
