"""porch.media: Gradio's sample-file helpers, with porch's own small files."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
import wave
from pathlib import Path

import gradio.media
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

import porch
import porch.media as media

HELPERS = ["get_audio", "get_file", "get_image", "get_model3d", "get_video"]


@pytest.mark.parametrize("name", HELPERS)
def test_each_helper_has_gradios_signature_and_returns_a_shipped_file(name: str) -> None:
    ours, theirs = getattr(porch, name), getattr(gradio.media, name)
    assert list(inspect.signature(ours).parameters) == list(inspect.signature(theirs).parameters)
    assert inspect.signature(ours).parameters["filename"].default is None
    path = Path(ours())
    assert path.is_absolute() and path.is_file() and path.parent.parent == media.MEDIA_ROOT


def test_the_module_exposes_what_gradio_media_does() -> None:
    public = {n for n in dir(gradio.media) if not n.startswith("_")
              and getattr(getattr(gradio.media, n), "__module__", "gradio.media") == "gradio.media"
              and not inspect.ismodule(getattr(gradio.media, n))}
    public -= {"Optional", "Path"}  # typing and pathlib names it imports
    assert public <= set(dir(media))
    assert [p.name for p in media.MEDIA_PATHS] == [p.name for p in gradio.media.MEDIA_PATHS]
    assert all(p.is_dir() for p in media.MEDIA_PATHS)


def test_a_named_file_and_a_url_come_back_and_a_missing_one_is_refused() -> None:
    assert Path(media.get_model3d("cube.obj")).name == "cube.obj"
    assert media.get_image("https://example.com/x.png") == "https://example.com/x.png"
    with pytest.raises(FileNotFoundError, match="house.png"):
        media.get_image("tower.jpg")


@given(st.text(min_size=1, max_size=30))
def test_no_name_reaches_outside_its_folder(name: str) -> None:
    for kind, helper in (("images", media.get_image), ("data", media.get_file)):
        try:
            got = helper(name)
        except (ValueError, FileNotFoundError):
            continue
        if got.startswith(("http://", "https://")):
            assert got == name
            continue
        assert Path(got).resolve().parent == media.MEDIA_ROOT / kind


@pytest.mark.parametrize("name", ["../audio/tone.wav", "/etc/passwd", ".", "..", ".hidden", ""])
def test_names_with_separators_or_leading_dots_are_refused(name: str) -> None:
    with pytest.raises(ValueError, match="plain file name"):
        media.get_image(name)


def test_the_samples_are_what_they_say() -> None:
    with Image.open(media.get_image("house.png")) as img:
        assert img.size == (96, 64)
    with wave.open(media.get_audio("tone.wav")) as sound:
        assert sound.getnframes() / sound.getframerate() == 0.5
    assert Path(media.get_video("bars.mp4")).read_bytes()[4:8] == b"ftyp"
    assert Path(media.get_model3d("tetra.glb")).read_bytes()[:4] == b"glTF"
    assert Path(media.get_model3d("pyramid.stl")).read_text().startswith("solid")
    assert json.loads(Path(media.get_file("sample.json")).read_text())["items"]
    for folder in media.MEDIA_PATHS:
        assert all(f.stat().st_size < 16_000 for f in folder.iterdir()), folder


def test_import_porch_does_not_import_porch_media() -> None:
    code = "import sys, porch; print('porch.media' in sys.modules); porch.get_image; " \
           "print('porch.media' in sys.modules, porch.media.MEDIA_ROOT.name)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["False", "True", "media_assets"]


def test_the_assets_are_in_the_wheel() -> None:
    # hatch ships every file under porch/ that git tracks and .gitignore does not exclude.
    root = Path(porch.__file__).parent
    ignored = subprocess.run(["git", "check-ignore", "-q", str(media.MEDIA_ROOT / "images")],
                             cwd=root, capture_output=True)
    assert ignored.returncode == 1
