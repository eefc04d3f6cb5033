"""Layouts in the config, updates of props, injected parameters, @render scopes, gr.on,
themes: all without a server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import porch as gr
from porch.blocks.context import EventContext
from porch.blocks.render import RenderScope
from porch.blocks.updates import session_view
from porch.components.base import Block, Conversion
from porch.errors import ConfigError, InvalidRequest

CONVERT = Conversion()


def component(config: dict[str, Any], block: Block) -> dict[str, Any]:
    entry: dict[str, Any] = next(c for c in config["components"] if c["id"] == block.id)
    return entry


# ---- layouts ----------------------------------------------------------------------------

def test_tabs_accordion_sidebar_in_config_and_layout_tree() -> None:
    with gr.Blocks() as demo:
        with gr.Sidebar(label="Menu", open=False, position="right") as side:
            gr.Textbox(label="s")
        with gr.Tabs(selected="b") as tabs:
            with gr.Tab("A", id="a") as tab_a:
                text = gr.Textbox()
            with gr.Tab("B", id="b") as tab_b:
                gr.Markdown("b")
        with gr.Accordion("More", open=False) as more:
            number = gr.Number()
    config = demo.config()
    assert component(config, side)["props"].items() >= {
        "open": False, "position": "right", "label": "Menu", "width": 320}.items()
    assert component(config, tabs)["type"] == "tabs"
    assert component(config, tabs)["props"]["selected"] == "b"
    entry = component(config, tab_a)
    assert entry["type"] == "tabitem" and entry["props"]["id"] == "a"
    assert entry["props"]["label"] == "A" and entry["props"]["interactive"] is True
    assert entry["id"] != "a"  # the block keeps its numeric id
    assert component(config, more)["props"].items() >= {"label": "More", "open": False}.items()
    children = config["layout"]["children"]
    assert [c["id"] for c in children] == [side.id, tabs.id, more.id]
    assert [c["id"] for c in children[1]["children"]] == [tab_a.id, tab_b.id]
    assert children[1]["children"][0]["children"] == [{"id": text.id}]
    assert children[2]["children"] == [{"id": number.id}]


def test_bare_tabs_share_one_implicit_tabs_until_something_else_comes() -> None:
    with gr.Blocks() as demo:
        with gr.Tab("One") as one:
            gr.Textbox()
        with gr.Tab("Two") as two:
            gr.Textbox()
        gr.Markdown("between")
        with gr.Tab("Three") as three:
            gr.Textbox()
    top = demo.config()["layout"]["children"]
    assert len(top) == 3
    assert [c["id"] for c in top[0]["children"]] == [one.id, two.id]
    assert [c["id"] for c in top[2]["children"]] == [three.id]
    assert demo.blocks[top[0]["id"]].block_type == "tabs"


def test_sidebar_position_is_checked() -> None:
    with gr.Blocks(), pytest.raises(ConfigError, match="left' or 'right"):
        gr.Sidebar(position="top")


def test_layout_events_register_with_their_names() -> None:
    with gr.Blocks() as demo:
        with gr.Tabs() as tabs:
            with gr.Tab("A") as tab:
                pass
        with gr.Accordion("x") as acc:
            pass
        with gr.Sidebar() as side:
            pass
        tab.select(lambda: None)
        tabs.change(lambda: None)
        acc.expand(lambda: None)
        acc.collapse(lambda: None)
        side.expand(lambda: None)
    targets = [d["targets"] for d in demo.config()["dependencies"]]
    assert targets == [[[tab.id, "select"]], [[tabs.id, "change"]], [[acc.id, "expand"]],
                       [[acc.id, "collapse"]], [[side.id, "expand"]]]


# ---- updates ----------------------------------------------------------------------------

def outputs_app() -> tuple[gr.Blocks, dict[str, Any]]:
    with gr.Blocks() as demo:
        text = gr.Textbox(label="t")
        choice = gr.Dropdown(["x", "y"], label="d")
        box = gr.Column()
        state = gr.State(1)
        go = gr.Button()
        dep = go.click(lambda: None, None, [text, choice, box, state])
    return demo, {"text": text, "choice": choice, "box": box, "state": state, "dep": dep}


def test_update_dicts_and_returned_components_become_wire_updates() -> None:
    demo, c = outputs_app()
    state: dict[int, Any] = {}
    result = (gr.Textbox(visible=False, value=3),
              gr.update(choices=["p", ("Q", "q")], value="q", label="new"),
              gr.Column(visible=False),
              gr.update(value=5))
    payloads = demo.finish_outputs(c["dep"], result, state, CONVERT)
    assert payloads[0] == {"__type__": "update", "visible": False, "value": "3"}
    assert payloads[1] == {"__type__": "update", "choices": [["p", "p"], ["Q", "q"]],
                           "label": "new", "value": "q"}
    assert payloads[2] == {"__type__": "update", "visible": False}
    assert payloads[3] is None and state[c["state"].id] == 5


def test_a_dict_return_sets_some_outputs_and_skips_the_rest() -> None:
    demo, c = outputs_app()
    state: dict[int, Any] = {c["state"].id: 7}
    payloads = demo.finish_outputs(c["dep"], {c["text"]: "only"}, state, CONVERT)
    assert payloads == ["only", {"__type__": "update"}, {"__type__": "update"}, None]
    assert state[c["state"].id] == 7
    with pytest.raises(ValueError, match="not an output"):
        demo.finish_outputs(c["dep"], {gr.Textbox(render=False): "x"}, state, CONVERT)


def test_skip_leaves_an_output_unchanged() -> None:
    demo, c = outputs_app()
    state: dict[int, Any] = {c["state"].id: 7}
    result = (gr.skip(), gr.skip(), gr.skip(), gr.skip())
    assert demo.finish_outputs(c["dep"], result, state, CONVERT) == [
        {"__type__": "update"}, {"__type__": "update"}, {"__type__": "update"}, None]
    assert state[c["state"].id] == 7


def test_a_layout_output_refuses_a_plain_value() -> None:
    demo, c = outputs_app()
    with pytest.raises(TypeError, match="layout"):
        demo.finish_outputs(c["dep"], ("a", "x", "not an update", 1), {}, CONVERT)


def test_a_bad_update_fails_like_a_bad_constructor_call() -> None:
    demo, c = outputs_app()
    with pytest.raises(ConfigError):
        demo.finish_outputs(c["dep"], (None, gr.update(choices="xy"), None, None), {}, CONVERT)


def test_updated_choices_apply_to_that_session_only() -> None:
    with gr.Blocks() as demo:
        choice = gr.Dropdown(["x", "y"], label="d")
        change = gr.Button().click(lambda: None, None, choice)
        read = gr.Button().click(lambda v: v, choice, None)
    mine: dict[int, Any] = {}
    demo.finish_outputs(change, gr.update(choices=["p", "q"]), mine, CONVERT)
    assert demo.prepare_inputs(read, ["q"], mine, CONVERT) == (["q"], {})
    with pytest.raises(gr.Error):
        demo.prepare_inputs(read, ["q"], {}, CONVERT)  # another session: the old choices
    with pytest.raises(gr.Error):
        demo.prepare_inputs(read, ["x"], mine, CONVERT)


# ---- injected parameters ------------------------------------------------------------------

def test_request_and_event_data_are_injected_and_kept_out_of_the_api() -> None:
    seen: dict[str, Any] = {}

    def picked(text: str, evt: gr.SelectData, request: gr.Request) -> str:
        seen.update(evt=evt, request=request)
        return text

    with gr.Blocks() as demo:
        box = gr.Textbox(label="box")
        dep = box.select(picked, box, box)
    info = demo.api_info()["named_endpoints"]["/picked"]
    assert [p["parameter_name"] for p in info["parameters"]] == ["text"]
    assert demo.config()["dependencies"][0]["collects_event_data"] is True
    request = gr.Request(headers={"X-Thing": "1"}, query_params=[("q", "a"), ("q", "b")],
                         client=("10.0.0.1", 5), session_hash="s1")
    context = EventContext(request=request, target=box,
                           event_data={"index": [1, 2], "value": "v", "selected": False})
    args, kwargs = demo.prepare_inputs(dep, ["hi"], {}, CONVERT, context)
    assert args == ["hi"] and set(kwargs) == {"evt", "request"}
    evt = kwargs["evt"]
    assert (evt.index, evt.value, evt.selected, evt.target) == ((1, 2), "v", False, box)
    assert kwargs["request"].headers["x-thing"] == "1"
    assert kwargs["request"].query_params["q"] == "b"
    assert kwargs["request"].query_params.getlist("q") == ["a", "b"]
    assert kwargs["request"].client.host == "10.0.0.1"


def test_injection_reads_string_annotations_and_optional_types() -> None:
    def fn(x: str, req: gr.Request | None = None, evt: "gr.LikeData" = None) -> None:  # type: ignore[assignment]  # noqa: UP037
        return None

    with gr.Blocks() as demo:
        box = gr.Textbox()
        dep = box.change(fn, box, None)
    _, kwargs = demo.prepare_inputs(dep, ["a"], {}, CONVERT, EventContext(
        event_data={"index": 0, "value": "hi", "liked": False}))
    assert isinstance(kwargs["req"], gr.Request)
    assert isinstance(kwargs["evt"], gr.LikeData) and kwargs["evt"].liked is False


def test_event_data_that_is_not_an_object_is_refused() -> None:
    def fn(evt: gr.EventData) -> None:
        return None

    with gr.Blocks() as demo:
        dep = gr.Button().click(fn)
    with pytest.raises(InvalidRequest):
        demo.prepare_inputs(dep, [], {}, CONVERT, EventContext(event_data=[1, 2]))
    _, kwargs = demo.prepare_inputs(dep, [], {}, CONVERT, EventContext(event_data=None))
    assert kwargs["evt"].target is None


# ---- events -------------------------------------------------------------------------------

def test_on_with_triggers_and_without() -> None:
    with gr.Blocks() as demo:
        a = gr.Textbox()
        b = gr.Number()
        go = gr.Button()
        both = gr.on([a.submit, go.click], lambda x: x, a, a)

        @gr.on(inputs=[a, b], outputs=a)
        def anything(x: str, y: float) -> str:
            return x

    assert both.targets == [(a.id, "submit"), (go.id, "click")]
    last = demo.dependencies[-1]
    assert last.fn is anything
    assert last.targets == [(demo.id, "load"), (a.id, "change"), (b.id, "change")]
    with gr.Blocks(), pytest.raises(ConfigError, match="listeners"):
        gr.on(["click"], lambda: None)


def test_listeners_work_as_decorators() -> None:
    with gr.Blocks() as demo:
        go = gr.Button()
        out = gr.Textbox()

        @go.click(outputs=out)
        def hello() -> str:
            return "hi"

    assert hello() == "hi"
    assert demo.dependencies[0].fn is hello and demo.dependencies[0].outputs == [out]


def test_event_options_reach_the_config() -> None:
    with gr.Blocks() as demo:
        box = gr.Textbox()
        box.change(lambda x: x, box, box, trigger_mode="multiple", show_progress="minimal",
                   scroll_to_output=True)
    dep = demo.config()["dependencies"][0]
    assert (dep["trigger_mode"], dep["show_progress"], dep["scroll_to_output"]) == (
        "multiple", "minimal", True)


# ---- @render -------------------------------------------------------------------------------

def render_app() -> tuple[gr.Blocks, Any, Any]:
    with gr.Blocks() as demo:
        count = gr.Number(value=2)
        out = gr.Textbox(label="out")

        @gr.render(inputs=count)
        def boxes(n: float) -> None:
            made = [gr.Textbox(label=f"box {i}", key=f"k{i}") for i in range(int(n))]
            with gr.Row():
                go = gr.Button("join")
            go.click(lambda *v: " ".join(v), made, out).then(lambda: "done", None, out)

    return demo, count, boxes


def test_render_registers_an_undocumented_event_with_load_and_change_triggers() -> None:
    demo, count, renderable = render_app()
    dep = renderable.dependency
    assert dep.targets == [(demo.id, "load"), (count.id, "change")]
    assert dep.outputs == [renderable.column] and dep.api_visibility == "undocumented"
    assert dep.config()["render_id"] == renderable.render_id
    assert dep.trigger_mode == "always_last"
    assert [c["id"] for c in demo.config()["layout"]["children"]][-1] == renderable.column.id


def test_a_render_run_makes_a_scope_with_fresh_blocks_and_events() -> None:
    demo, count, renderable = render_app()
    static = len(demo.dependencies)
    state: dict[int, Any] = {}
    args, kwargs = demo.prepare_inputs(renderable.dependency, [3], state, CONVERT)
    scope = renderable.dependency.fn(*args, **kwargs)
    assert isinstance(scope, RenderScope)
    assert demo.finish_outputs(renderable.dependency, scope, state, CONVERT) == [None]
    assert len(demo.dependencies) == static  # the app's events are untouched
    config = scope.config(CONVERT)
    assert config["render_id"] == renderable.render_id
    assert config["layout"]["id"] == renderable.column.id
    types = [c["type"] for c in config["components"]]
    assert types == ["column", "textbox", "textbox", "textbox", "row", "button"]
    assert all(c.get("rendered_in") == renderable.render_id for c in config["components"][1:])
    assert [c["key"] for c in config["components"][1:4]] == ["k0", "k1", "k2"]
    deps = config["dependencies"]
    assert len(deps) == 2 and all(d["id"] >= static for d in deps)
    assert deps[1]["trigger_after"] == deps[0]["id"]
    assert all(d["rendered_in"] == renderable.render_id for d in deps)
    # The session can find and run them; another session cannot.
    view = session_view(state)
    view.rendered(scope)
    found = view.dependency(deps[0]["id"])
    assert found is not None and found.inputs[0].label == "box 0"
    assert session_view({}).dependency(deps[0]["id"]) is None
    again = renderable.dependency.fn(1)
    view.rendered(again)
    assert view.dependency(deps[0]["id"]) is None
    assert again.dependencies[0].id > deps[-1]["id"]


# ---- look -----------------------------------------------------------------------------------

def test_theme_names_and_objects_become_css_variables() -> None:
    assert gr.Blocks().config()["theme"] == "default"
    assert gr.Blocks().config()["theme_css"] == ""
    soft = gr.Blocks(theme="soft").config()
    assert soft["theme"] == "soft" and "--porch-radius:14px" in soft["theme_css"]
    custom = gr.themes.Base(primary_hue="blue", radius_size="none").set(
        body_background_fill="#fdf6e3", button_primary_background_fill_dark="#123456",
        body_text_color="red;}body{color:blue")
    css = gr.Blocks(theme=custom).config()["theme_css"]
    assert "--porch-accent:#2563eb" in css and "--porch-page:#fdf6e3" in css
    assert "--porch-accent:#123456" in css and "--porch-radius:0px" in css
    assert "body{" not in css  # a value cannot leave its declaration
    with pytest.raises(ConfigError, match="Unknown theme"):
        gr.Blocks(theme="neon")
    named = gr.themes.Default(primary_hue=gr.themes.colors.rose,
                              radius_size=gr.themes.sizes.radius_sm, font=["Inter", "x;}"])
    css = gr.Blocks(theme=named).config()["theme_css"]
    assert "--porch-accent:#e11d48" in css and "--porch-radius:4px" in css
    assert "--porch-font:Inter, system-ui" in css and "x;}" not in css


def test_css_paths_and_launch_look_options(tmp_path: Path) -> None:
    sheet = tmp_path / "extra.css"
    sheet.write_text(".x { color: red; }")
    demo = gr.Blocks(css=".a { b: c; }", css_paths=[sheet], head="<meta name=x>")
    assert demo.config()["css"] == ".a { b: c; }\n.x { color: red; }"
    assert demo.all_head() == "<meta name=x>"
    missing = gr.Blocks(css_paths=str(tmp_path / "nope.css"))
    with pytest.raises(ConfigError, match="css_paths"):
        missing.config()
