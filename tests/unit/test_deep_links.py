"""DeepLinkButton's snapshots: what a link may hold, its bounds, and the routes over HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

import porch as gr
from porch.errors import ConfigError
from porch.server.deep_links import LINK_ID, DeepLinks, names_a_file
from tests.conftest import launched

FILE = {"path": "/etc/passwd", "url": None, "meta": {"_type": "gradio.FileData"}}


def test_inputs_come_from_the_page_outputs_only_from_the_server() -> None:
    links = DeepLinks()
    links.sent("s1", [(2, "server said"), (3, {"__type__": "update", "value": "upd"}),
                      (4, {"__type__": "update", "visible": False})])
    link = links.create("s1", {1: "typed", 2: "faked answer", 5: "not linkable"},
                        inputs={1}, linkable={1, 2, 3, 4})
    assert LINK_ID.fullmatch(link) and len(link) >= 21  # 128 random bits
    assert links.load(link) == {1: "typed", 2: "server said", 3: "upd"}
    # Another session's outputs never show in this one's links.
    other = links.create("s2", {}, inputs=set(), linkable={1, 2, 3})
    assert links.load(other) == {}


def test_files_and_oversized_values_stay_out() -> None:
    links = DeepLinks(max_value_bytes=100)
    links.sent("s", [(2, FILE), (3, [{"image": FILE}]), (4, "x" * 500)])
    link = links.create("s", {1: {"nested": [FILE]}, 5: 7}, inputs={1, 5},
                        linkable={1, 2, 3, 4, 5})
    assert links.load(link) == {5: 7}


def test_links_are_bounded_per_session_and_overall() -> None:
    links = DeepLinks(per_session=2, capacity=3)
    made = [links.create("a", {1: i}, inputs={1}, linkable={1}) for i in range(3)]
    assert links.load(made[0]) is None and links.load(made[2]) == {1: 2}
    theirs = [links.create(f"s{i}", {}, inputs=set(), linkable=set()) for i in range(3)]
    assert links.load(made[1]) is None and links.load(made[2]) is None
    assert all(links.load(t) == {} for t in theirs)


@given(st.text(max_size=200))
def test_an_unknown_id_names_nothing(guess: str) -> None:
    links = DeepLinks()
    made = links.create("s", {1: "v"}, inputs={1}, linkable={1})
    assert links.load(guess) is None or guess == made


@given(st.recursive(st.none() | st.integers() | st.text(max_size=5),
                    lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.sampled_from(["a", "path", "url", "meta"]), inner,
                                      max_size=3), max_leaves=20))
def test_a_value_with_a_file_key_anywhere_counts_as_a_file(value: object) -> None:
    def has(v: object) -> bool:
        if isinstance(v, dict):
            return "path" in v or "url" in v or any(has(x) for x in v.values())
        return isinstance(v, list) and any(has(x) for x in v)
    if has(value):
        assert names_a_file(value)


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    with gr.Blocks() as demo:
        name = gr.Textbox(label="Name")
        out = gr.Textbox(label="Out")
        name.submit(lambda n: n.upper(), name, out, api_name="shout")
        gr.DeepLinkButton()
    with launched(demo) as served:
        yield served


def test_a_link_over_http_restores_the_config(url: str) -> None:
    with httpx.Client(base_url=url, timeout=10) as page:
        config = page.get("/config").json()
        name_id, out_id = (c["id"] for c in config["components"][:2])
        button = config["components"][2]["props"]
        assert button["copied_value"] == "Link Copied!"
        assert button["elem_id"].startswith("gradio-share-link-button-")
        session = "deeplinksession1"
        page.post("/gradio_api/queue/join", json={
            "data": ["ada"], "fn_index": 0, "session_hash": session}).raise_for_status()
        with page.stream("GET", f"/gradio_api/queue/data?session_hash={session}") as events:
            for line in events.iter_lines():
                if "process_completed" in line:
                    break
        link = page.post("/gradio_api/deep_link", json={
            "session_hash": session, "values": {str(name_id): "grace", str(out_id): "fake"}})
        link.raise_for_status()
        restored = page.get("/config", params={"deep_link": link.json()}).json()
        values = {c["id"]: c["props"].get("value") for c in restored["components"]}
        assert values[name_id] == "grace" and values[out_id] == "ADA"
        assert restored["deep_link_state"] == "valid"
        # Gradio's GET form: the values the server saw.
        again = page.get("/gradio_api/deep_link", params={"session_hash": session}).json()
        values = {c["id"]: c["props"].get("value")
                  for c in page.get("/config", params={"deep_link": again}).json()["components"]}
        assert values[out_id] == "ADA"
        assert page.get("/config", params={"deep_link": "../x"}).json()[
            "deep_link_state"] == "invalid"
        assert "deep_link_state" not in page.get("/config").json()
    # A session is its own client's: another browser cannot snapshot it.
    with httpx.Client(base_url=url, timeout=10) as stranger:
        stranger.get("/config")
        refused = stranger.post("/gradio_api/deep_link",
                                json={"session_hash": session, "values": {}})
        assert refused.status_code == 403
        assert stranger.post("/gradio_api/deep_link", json={"values": {}}).status_code == 422


def test_memory_is_bounded_in_bytes() -> None:
    links = DeepLinks(max_value_bytes=1000, sent_bytes=2500, link_bytes=1500,
                      links_bytes=3500)
    big = "x" * 900  # about 900 bytes as JSON
    for session in ("a", "b", "c"):
        links.sent(session, [(1, big)])
    # Three sessions' outputs do not fit in 2500 bytes: the least recent one went.
    assert links.load(links.create("a", {}, inputs=set(), linkable={1})) == {}
    assert links.load(links.create("c", {}, inputs=set(), linkable={1})) == {1: big}
    # One link keeps values up to link_bytes; all links together up to links_bytes.
    one = links.create("d", {1: big, 2: big}, inputs={1, 2}, linkable={1, 2})
    assert links.load(one) == {1: big}
    made = [links.create(f"e{i}", {1: big}, inputs={1}, linkable={1}) for i in range(4)]
    assert links.load(made[0]) is None and links.load(made[3]) == {1: big}


def test_interface_deep_link_places_the_button() -> None:
    def shout(text: str) -> str:
        return text.upper()

    def buttons(demo: gr.Blocks) -> list[str]:
        return [b.value for b in demo.blocks.values() if isinstance(b, gr.DeepLinkButton)]

    assert buttons(gr.Interface(shout, "text", "text")) == []
    assert buttons(gr.Interface(shout, "text", "text", deep_link=True)) == ["Share via Link"]
    assert buttons(gr.Interface(shout, "text", "text", deep_link="Link me")) == ["Link me"]
    mine = gr.DeepLinkButton("Mine", render=False)
    assert buttons(gr.Interface(shout, "text", "text", deep_link=mine)) == ["Mine"]
    with pytest.raises(ConfigError, match="deep_link"):
        gr.Interface(shout, "text", "text", deep_link=3)  # type: ignore[arg-type]
