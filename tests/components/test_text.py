"""Text components: Textbox (types, limits, copy button), Markdown, HTML and Code."""

from __future__ import annotations

import pytest

import porch as gr
from porch.components.base import Conversion
from porch.errors import ConfigError, Error

NO_FILES = Conversion()


def test_textbox_types_and_props() -> None:
    box = gr.Textbox(type="password", lines=2, max_lines=4, placeholder="secret",
                     show_copy_button=True, max_length=5, label="pw")
    props = box.config()["props"]
    assert props["type"] == "password" and props["lines"] == 2 and props["max_lines"] == 4
    assert props["placeholder"] == "secret" and props["max_length"] == 5
    assert props["buttons"] == ["copy"] and props["show_copy_button"] is True
    assert gr.Textbox(buttons=["copy"]).show_copy_button
    assert gr.Textbox(type="email").config()["props"]["type"] == "email"
    with pytest.raises(ConfigError, match="password"):
        gr.Textbox(type="number")


def test_textbox_max_length_is_enforced_on_input() -> None:
    box = gr.Textbox(max_length=3, label="code")
    assert box.preprocess("abc", NO_FILES) == "abc"
    with pytest.raises(Error, match="code: at most 3 characters, got 4"):
        box.preprocess("abcd", NO_FILES)


def test_textarea_is_a_tall_textbox() -> None:
    area = gr.TextArea(label="notes")
    assert isinstance(area, gr.Textbox) and area.lines == 7 and area.max_lines == 20
    assert gr.Text is gr.Textbox


def test_markdown_hides_its_label_and_panel_by_default() -> None:
    md = gr.Markdown("""
        # Title
        text
    """)
    props = md.config()["props"]
    assert props["value"] == "# Title\ntext"
    assert props["show_label"] is False and props["container"] is False
    assert gr.Markdown(show_label=True, container=True).config()["props"]["container"] is True


def test_html_is_passed_as_markup() -> None:
    html = gr.HTML("<b>hi</b>", css_template="b { color: red }",
                   js_on_load="alert(1)", custom_prop=3)
    props = html.config()["props"]
    assert props["value"] == "<b>hi</b>" and props["css_template"] == "b { color: red }"
    assert "js_on_load" not in props  # the page runs no app JavaScript
    assert html.postprocess(3, NO_FILES) == "3" and html.postprocess(None, NO_FILES) is None
    assert html.api_parameter()["python_type"]["type"] == "str"
    assert props["show_label"] is False


def test_code_conversion_config_and_languages() -> None:
    code = gr.Code("x = 1", language="python", lines=3, label="src")
    props = code.config()["props"]
    assert props["language"] == "python" and props["lines"] == 3 and props["value"] == "x = 1"
    assert code.postprocess("\n  y = 2\n", NO_FILES) == "y = 2"  # stripped, as in Gradio
    assert code.preprocess("a\n  b", NO_FILES) == "a\n  b"
    with pytest.raises(Error, match="return its contents as a str"):
        code.postprocess(("/etc/passwd",), NO_FILES)
    with pytest.raises(ConfigError, match="klingon"):
        gr.Code(language="klingon")
    assert gr.Code().api_parameter()["example_input"] == "print('Hello World')"


def test_common_arguments_reach_the_config() -> None:
    box = gr.Textbox(label="L", info="I", show_label=False, visible=False, interactive=False,
                     elem_id="e", elem_classes=["c1", "c2"], scale=2, min_width=99,
                     container=False)
    props = box.config()["props"]
    assert {k: props[k] for k in ("label", "info", "show_label", "visible", "interactive",
                                  "elem_id", "elem_classes", "scale", "min_width",
                                  "container")} == {
        "label": "L", "info": "I", "show_label": False, "visible": False,
        "interactive": False, "elem_id": "e", "elem_classes": ["c1", "c2"], "scale": 2,
        "min_width": 99, "container": False}
