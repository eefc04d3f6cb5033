"""Interface's string shortcuts for the components Gradio names that way."""

from __future__ import annotations

import pytest

import porch as gr
from porch.blocks.interface import component_from

SHORTCUTS = {
    "slider": gr.Slider, "checkbox": gr.Checkbox, "checkboxgroup": gr.CheckboxGroup,
    "radio": gr.Radio, "dropdown": gr.Dropdown, "dataframe": gr.Dataframe,
    "numpy": gr.Dataframe, "matrix": gr.Dataframe, "list": gr.Dataframe, "label": gr.Label,
    "highlight": gr.HighlightedText, "highlightedtext": gr.HighlightedText, "code": gr.Code,
    "json": gr.JSON, "html": gr.HTML, "colorpicker": gr.ColorPicker, "datetime": gr.DateTime,
    "plot": gr.Plot, "browserstate": gr.BrowserState,
}


@pytest.mark.parametrize(("name", "kind"), SHORTCUTS.items())
def test_shortcut_makes_the_component(name: str, kind: type) -> None:
    assert type(component_from(name)) is kind
    assert type(component_from(name.upper())) is kind


def test_dataframe_shortcuts_pick_their_type() -> None:
    assert component_from("numpy").type == "numpy"  # type: ignore[attr-defined]
    assert component_from("list").type == "array"  # type: ignore[attr-defined]


def test_interface_with_shortcuts_builds_an_api() -> None:
    demo = gr.Interface(lambda n, on, pick: f"{n} {on} {pick}", ["slider", "checkbox", "radio"],
                        "label")
    api = demo.api_info()["named_endpoints"]["/predict"]
    assert [p["component"] for p in api["parameters"]] == ["Slider", "Checkbox", "Radio"]
    assert api["returns"][0]["component"] == "Label"
