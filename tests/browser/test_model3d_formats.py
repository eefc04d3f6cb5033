"""model3d_formats.js in Chromium: each file kind the viewer reads, and broken files refused
with a message for people."""

from __future__ import annotations

import base64
import json
import struct
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page

import porch as gr

pytestmark = pytest.mark.browser

PARSE = """async ([name, data]) => {
  const { parseModel } = await import("./assets/components/model3d_formats.js");
  const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
  try {
    const m = await parseModel(name, bytes.buffer);
    return { kind: m.kind, positions: Array.from(m.positions, (v) => Math.round(v * 1000) / 1000),
             colors: m.colors && Array.from(m.colors, (v) => Math.round(v * 100) / 100) };
  } catch (e) { return { error: e.message }; }
}"""


@pytest.fixture(scope="module")
def app_url(serve_for_module: Any) -> Iterator[str]:
    with gr.Blocks() as demo:
        gr.Markdown("formats")
    yield serve_for_module(demo)


def parse(page: Page, url: str, name: str, data: bytes) -> dict[str, Any]:
    if page.url != url:
        page.goto(url)
        page.wait_for_selector("html[data-porch=ready]")
    result: dict[str, Any] = page.evaluate(PARSE, [name, base64.b64encode(data).decode()])
    return result


def test_obj_with_texture_and_normal_indices_negative_indices_and_colours(
        page: Page, app_url: str) -> None:
    text = b"v 0 0 0 1 0 0\nv 1 0 0 0 1 0\nv 1 1 0 0 0 1\nv 0 1 0 1 1 1\nvn 0 0 1\n" \
           b"f 1/1/1 2/2/1 3/3/1 4/4/1\nf -4//1 -2//1 -1//1\n"
    m = parse(page, app_url, "quad.OBJ", text)
    assert m["kind"] == "triangles"
    assert len(m["positions"]) == 9 * 3  # a quad is two triangles, then one more
    assert m["positions"][:9] == [0, 0, 0, 1, 0, 0, 1, 1, 0]
    assert m["colors"][:6] == [1, 0, 0, 0, 1, 0]
    assert "vertex it does not have" in parse(page, app_url, "x.obj", b"v 0 0 0\nf 1 2 3\n")[
        "error"]
    points = parse(page, app_url, "cloud.obj", b"v 0 0 0\nv 1 2 3\n")
    assert points["kind"] == "points" and points["colors"] is None


def test_stl_ascii_and_binary_read_alike(page: Page, app_url: str) -> None:
    tri = [0.0, 0, 0, 1, 0, 0, 0, 1, 0]
    ascii_stl = b"solid t\nfacet normal 0 0 1\nouter loop\nvertex 0 0 0\nvertex 1 0 0\n" \
                b"vertex 0 1 0\nendloop\nendfacet\nendsolid t\n"
    binary = b"\0" * 80 + struct.pack("<I", 1) + struct.pack("<12fH", 0, 0, 1, *tri, 0)
    for data in (ascii_stl, binary):
        m = parse(page, app_url, "t.stl", data)
        assert m == {"kind": "triangles", "positions": tri, "colors": None}


def test_gltf_with_a_data_uri_buffer_a_node_transform_and_colour(
        page: Page, app_url: str) -> None:
    positions = struct.pack("<9f", 0, 0, 0, 1, 0, 0, 0, 1, 0)
    doc = {
        "asset": {"version": "2.0"}, "scene": 0, "scenes": [{"nodes": [0]}],
        "nodes": [{"children": [1], "translation": [10, 0, 0]}, {"mesh": 0, "scale": [2, 2, 2]}],
        "meshes": [{"primitives": [{"attributes": {"POSITION": 0}, "material": 0}]}],
        "materials": [{"pbrMetallicRoughness": {"baseColorFactor": [0, 0.5, 1, 1]}}],
        "buffers": [{"byteLength": 36, "uri": "data:application/octet-stream;base64,"
                     + base64.b64encode(positions).decode()}],
        "bufferViews": [{"buffer": 0, "byteLength": 36}],
        "accessors": [{"bufferView": 0, "componentType": 5126, "count": 3, "type": "VEC3"}],
    }
    m = parse(page, app_url, "tri.gltf", json.dumps(doc).encode())
    assert m["positions"] == [10, 0, 0, 12, 0, 0, 10, 2, 0]
    assert m["colors"][:3] == [0, 0.5, 1]
    doc["extensionsRequired"] = ["KHR_draco_mesh_compression"]
    assert "KHR_draco_mesh_compression" in parse(page, app_url, "d.gltf",
                                                  json.dumps(doc).encode())["error"]


def test_the_sample_glb_reads(page: Page, app_url: str) -> None:
    with open(gr.get_model3d("tetra.glb"), "rb") as file:
        m = parse(page, app_url, "tetra.glb", file.read())
    assert m["kind"] == "triangles" and len(m["positions"]) == 12 * 3


def test_ply_ascii_and_binary_with_colours_and_faces(page: Page, app_url: str) -> None:
    header = ("ply\nformat {fmt} 1.0\nelement vertex 3\nproperty float x\nproperty float y\n"
              "property float z\nproperty uchar red\nproperty uchar green\nproperty uchar blue\n"
              "element face 1\nproperty list uchar int vertex_indices\nend_header\n")
    ascii_ply = (header.format(fmt="ascii")
                 + "0 0 0 255 0 0\n1 0 0 0 255 0\n0 1 0 0 0 255\n3 0 1 2\n")
    body = b"".join(struct.pack("<3f3B", *v) for v in [(0, 0, 0, 255, 0, 0), (1, 0, 0, 0, 255, 0),
                                                        (0, 1, 0, 0, 0, 255)])
    binary = header.format(fmt="binary_little_endian").encode() + body + struct.pack("<B3i", 3, 0,
                                                                                      1, 2)
    for data in (ascii_ply.encode(), binary):
        m = parse(page, app_url, "t.ply", data)
        assert m["kind"] == "triangles"
        assert m["positions"] == [0, 0, 0, 1, 0, 0, 0, 1, 0]
        assert m["colors"] == [1, 0, 0, 0, 1, 0, 0, 0, 1]
    cloud = "ply\nformat ascii 1.0\nelement vertex 2\nproperty float x\nproperty float y\n" \
            "property float z\nend_header\n0 0 0\n1 1 1\n"
    assert parse(page, app_url, "c.ply", cloud.encode())["kind"] == "points"
    assert "no PLY header" in parse(page, app_url, "x.ply", b"solid")["error"]


def test_splat_points_take_their_colour(page: Page, app_url: str) -> None:
    splat = struct.pack("<3f3f4B4B", 1, 2, 3, 0.1, 0.1, 0.1, 255, 0, 0, 255, 128, 128, 128, 128)
    m = parse(page, app_url, "s.splat", splat * 2)
    assert m == {"kind": "points", "positions": [1, 2, 3, 1, 2, 3], "colors": [1, 0, 0, 1, 0, 0]}


def test_other_kinds_and_empty_files_are_refused(page: Page, app_url: str) -> None:
    assert ".obj, .glb" in parse(page, app_url, "scene.fbx", b"x")["error"]
    assert "no vertices" in parse(page, app_url, "empty.stl", b"solid e\nendsolid e\n")["error"]
