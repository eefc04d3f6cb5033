"""gr.I18n: tables checked, tokens in Gradio's wire form, launch(i18n=) honoured in /config."""

from __future__ import annotations

import json
import warnings

import httpx
import pytest

import porch as gr
from porch.components.i18n import I18nData, checked_i18n
from porch.unhonoured import UnhonouredOptionWarning, reset_for_tests
from tests.conftest import launched

TOKEN = '__i18n__{"__type__": "translation_metadata", "key": "greet"}'


def test_a_token_is_a_string_in_gradios_wire_form() -> None:
    i18n = gr.I18n(en={"greet": "Hello"})
    token = i18n("greet")
    assert isinstance(token, I18nData) and isinstance(token, str)
    assert token == TOKEN and str(token) == TOKEN and token.key == "greet"
    assert token.to_dict() == {"__type__": "translation_metadata", "key": "greet"}
    assert json.dumps({"label": token}) == json.dumps({"label": TOKEN})
    # Text changes give the token back, as Gradio's do, so it is never corrupted.
    assert token.upper() is token and token.strip() is token
    assert "Hi " + token == "Hi " + TOKEN


def test_bad_translations_fail_clearly() -> None:
    with pytest.raises(TypeError, match="takes a dict"):
        gr.I18n(en="Hello")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="must be strings"):
        gr.I18n(en={"greet": 3})  # type: ignore[dict-item]
    with pytest.raises(TypeError, match="translation key must be a string"):
        gr.I18n(en={})(42)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"gr\.I18n"):
        checked_i18n({"en": {}})
    with pytest.warns(UserWarning, match="Invalid locale code"):
        kept = gr.I18n(English={"greet": "Hello"})
    assert kept.translations_dict == {"English": {"greet": "Hello"}}


def test_tokens_go_in_any_text_prop() -> None:
    i18n = gr.I18n(en={"greet": "Hello"})
    with gr.Blocks(title=i18n("greet")) as demo:
        gr.Textbox(label=i18n("greet"), info=i18n("greet"), placeholder=i18n("greet"))
        gr.Markdown(i18n("greet"))
        gr.Button(i18n("greet"))
        gr.Radio(choices=[(i18n("greet"), "a")], label=i18n("greet"))
    config = json.loads(json.dumps(demo.config()))
    props = [c["props"] for c in config["components"]]
    assert props[0]["label"] == props[0]["info"] == props[0]["placeholder"] == TOKEN
    assert props[1]["value"] == TOKEN and props[2]["value"] == TOKEN
    assert props[3]["choices"] == [[TOKEN, "a"]]
    assert config["title"] == TOKEN
    assert config["i18n_translations"] is None


def test_launch_i18n_is_honoured_without_a_warning() -> None:
    i18n = gr.I18n(en={"greet": "Hello"}, de={"greet": "Hallo"})
    with gr.Blocks() as demo:
        box = gr.Textbox(label=i18n("greet"))
        out = gr.Markdown()
        box.submit(lambda _: i18n("greet"), box, out, api_name="say")
    reset_for_tests()
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnhonouredOptionWarning)
        with launched(demo, i18n=i18n) as url:
            config = httpx.get(f"{url}/config", timeout=5).json()
    assert config["i18n_translations"] == {"en": {"greet": "Hello"}, "de": {"greet": "Hallo"}}
    assert config["components"][0]["props"]["label"] == TOKEN


def test_launch_refuses_what_is_not_an_i18n() -> None:
    with gr.Blocks() as demo:
        gr.Textbox()
    with pytest.raises(TypeError, match=r"launch\(i18n=\.\.\.\)"):
        demo.launch(prevent_thread_lock=True, quiet=True, i18n={"en": {}})
