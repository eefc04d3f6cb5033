"""Every imaging name takes exactly Gradio 6.31's parameters, in order, with its defaults."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys

import pytest

import porch as gr

NAMES = ["ImageEditor", "ImageMask", "Sketchpad", "Paint", "Brush", "Eraser", "LayerOptions",
         "WatermarkOptions", "AnnotatedImage", "ImageSlider"]


def described(obj: object) -> list[list[str]]:
    return [[p.name, p.kind.name, repr(p.default)]
            for p in inspect.signature(obj).parameters.values()]  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def gradio_signatures() -> dict[str, list[list[str]]]:
    code = (
        "import inspect, json, sys, warnings; warnings.simplefilter('ignore'); import gradio; "
        "print(json.dumps({n: [[p.name, p.kind.name, repr(p.default)] for p in "
        "inspect.signature(getattr(gradio, n)).parameters.values()] "
        "for n in json.loads(sys.argv[1])}))"
    )
    out = subprocess.run([sys.executable, "-c", code, json.dumps(NAMES)], capture_output=True,
                         text=True, check=True, timeout=180).stdout
    result: dict[str, list[list[str]]] = json.loads(out.strip().splitlines()[-1])
    return result


@pytest.mark.parametrize("name", NAMES)
def test_signature_matches_gradio(name: str, gradio_signatures: dict[str, list[list[str]]]
                                  ) -> None:
    assert described(getattr(gr, name)) == gradio_signatures[name]
