"""Model3D through a real gate: paths in, FileData out, and unknown kinds refused."""

from __future__ import annotations

import inspect

import pytest

import porch as gr
from porch.errors import Error, FileNotAllowed
from tests.components.conftest import FILE_URL, Gate

CUBE_OBJ = b"v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n"


def test_signature_and_defaults_are_gradios() -> None:
    params = inspect.signature(gr.Model3D).parameters
    assert params["clear_color"].default is None
    assert params["camera_position"].default == (None, None, None)
    assert params["zoom_speed"].default == 1 and params["pan_speed"].default == 1
    assert params["display_mode"].default is None


def test_an_upload_reaches_the_function_as_its_issued_path(gate: Gate) -> None:
    data = gate.upload(CUBE_OBJ, "cube.obj")
    assert gr.Model3D().preprocess(data, gate.conversion) == data["path"]
    assert gr.Model3D().preprocess(None, gate.conversion) is None


def test_an_upload_of_another_kind_is_refused_with_the_kinds_it_shows(gate: Gate) -> None:
    data = gate.upload(b"not a model", "notes.fbx")
    with pytest.raises(Error, match=r"notes.fbx.*\.obj, \.glb, \.gltf, \.stl, \.ply, \.splat"):
        gr.Model3D().preprocess(data, gate.conversion)


def test_a_path_it_did_not_issue_is_refused(gate: Gate) -> None:
    (gate.outside / "x.obj").write_bytes(CUBE_OBJ)
    with pytest.raises(FileNotAllowed):
        gr.Model3D().preprocess({"path": str(gate.outside / "x.obj"),
                                 "meta": {"_type": "gradio.FileData"}}, gate.conversion)


def test_a_returned_model_is_copied_into_the_cache(gate: Gate) -> None:
    model = gate.work / "tri.stl"
    model.write_bytes(b"solid t\nendsolid t\n")
    data = gr.Model3D().postprocess(str(model), gate.conversion)
    assert data["orig_name"] == "tri.stl" and data["url"].startswith(FILE_URL)
    assert gate.is_issued(data["path"])
    assert gate.stored(data["path"]).read_bytes() == model.read_bytes()
    assert gr.Model3D().postprocess(None, gate.conversion) is None


def test_a_returned_file_of_another_kind_or_outside_the_gate_is_refused(gate: Gate) -> None:
    (gate.work / "scene.fbx").write_bytes(b"x")
    with pytest.raises(Error, match="Model3D cannot show 'scene.fbx'"):
        gr.Model3D().postprocess(str(gate.work / "scene.fbx"), gate.conversion)
    (gate.outside / "x.glb").write_bytes(b"glTF")
    with pytest.raises(FileNotAllowed):
        gr.Model3D().postprocess(str(gate.outside / "x.glb"), gate.conversion)


def test_a_url_is_checked_by_its_path_and_handed_to_the_fetcher(gate: Gate) -> None:
    with pytest.raises(FileNotAllowed):
        gr.Model3D().postprocess("https://example.com/a/Duck.GLB?x=1", gate.conversion)
    assert gate.fetched == ["https://example.com/a/Duck.GLB?x=1"]
    with pytest.raises(Error, match="cannot show"):
        gr.Model3D().postprocess("https://example.com/page.html", gate.conversion)


def test_config_carries_the_viewer_options() -> None:
    props = gr.Model3D(clear_color=(1, 0, 0, 1), camera_position=(45, None, 3), zoom_speed=2,
                       pan_speed=0.5, display_mode="wireframe", height=300).props()
    assert props["name"] == "model3d"
    assert props["clear_color"] == [1, 0, 0, 1]
    assert props["camera_position"] == [45, None, 3]
    assert (props["zoom_speed"], props["pan_speed"], props["height"]) == (2, 0.5, 300)
    assert props["display_mode"] == "wireframe"
    assert gr.Model3D().props()["clear_color"] == [0, 0, 0, 0]


def test_bad_options_are_refused_when_built() -> None:
    with pytest.raises(Exception, match="display_mode"):
        gr.Model3D(display_mode="shaded")
    with pytest.raises(Error, match="clear_color"):
        gr.Model3D(clear_color=(1, 0, 0))
    with pytest.raises(Error, match="cannot show"):
        gr.Model3D(value="scene.fbx")


def test_shortcut_and_events() -> None:
    from porch.blocks.interface import component_from

    assert isinstance(component_from("model3d"), gr.Model3D)
    for event in ("change", "upload", "edit", "clear"):
        assert callable(getattr(gr.Model3D(), event))
