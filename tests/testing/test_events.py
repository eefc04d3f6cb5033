"""AppTest on Blocks: values in, outputs out, `.then()` chains, State, toasts, errors,
`gr.update()`s, load events and sessions that do not see each other."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import porch as gr
from porch.testing import AppTest, Toast


def greet(name: str, count: int) -> tuple[str, int]:
    gr.Info(f"greeting {name}")
    return f"Hello, {name}!", count + 1


def refuse(name: str) -> str:
    if not name:
        raise gr.Error("Give a name first", title="Missing name")
    return name


def crash(name: str) -> str:
    raise RuntimeError("secret internals")


def warn_then_succeed() -> str:
    gr.Warning("careful")
    gr.Success("saved")
    return "ok"


@pytest.fixture
def app() -> gr.Blocks:
    with gr.Blocks() as demo:
        name = gr.Textbox(label="Name", elem_id="name-box")
        greeting = gr.Textbox(label="Greeting")
        count = gr.State(0)
        log = gr.State([])
        after = gr.Textbox(label="After")
        shout = gr.Textbox(label="Shout")
        go = gr.Button("Greet")
        go.click(greet, [name, count], [greeting, count]).then(
            lambda text, seen: (f"then saw {text}", [*seen, text]), [greeting, log],
            [after, log]).then(lambda: gr.update(visible=False, label="Gone"), None, name)
        check = gr.Button("Check").click(refuse, name, greeting)
        check.success(lambda: "passed", None, after)
        check.failure(lambda: "failed", None, after)
        gr.Button("Crash").click(crash, name, greeting)
        gr.Button("Toasts").click(warn_then_succeed, None, after)
        greeting.change(lambda text: text.upper(), greeting, shout)
        demo.load(lambda: "from load", None, greeting)
    return demo


@pytest.fixture
def at(app: gr.Blocks) -> Iterator[AppTest]:
    with AppTest(app) as tester:
        yield tester


def test_load_events_run_when_the_session_opens(at: AppTest) -> None:
    assert at.get("Greeting").value == "from load"
    assert at.loaded.ok and at.loaded[at.get("Greeting")] == "from load"
    # The output changed the greeting: its change event ran as part of the load.
    assert at.get("Shout").value == "FROM LOAD"


def test_finding_components(app: gr.Blocks, at: AppTest) -> None:
    by_label = at.get("Name")
    assert at.get(elem_id="name-box").id == by_label.id == at.get(label="Name").id
    assert at.get(by_label).id == by_label.id
    button = at.get("Greet")
    assert button.type == "button"
    assert [h.type for h in at.get_all(type="state")] == ["state", "state"]
    with pytest.raises(LookupError, match="no component"):
        at.get("Nobody")
    with pytest.raises(LookupError, match="2 components"):
        at.get(type="state")
    with pytest.raises(LookupError, match="no event listens"):
        at.get("Name").trigger("submit")


def test_a_click_runs_the_event_and_its_chain(at: AppTest) -> None:
    at.get("Name").set("Ada")
    result = at.click("Greet")
    assert result.ok and result.error is None
    assert at.get("Greeting").value == "Hello, Ada!"
    assert result[at.get("Greeting")] == "Hello, Ada!"
    assert at.get("After").value == "then saw Hello, Ada!"
    assert at.get("Shout").value == "HELLO, ADA!"  # the greeting's change event
    # Every run, in the order they began: the click, its change event and the chain.
    names = [run.trigger[1] for run in result.runs]
    assert names[0] == "click" and "change" in names and names.count("then") == 2
    assert result.toasts == [Toast("info", "greeting Ada", "Info", 10)]
    assert result.messages("info") == ["greeting Ada"]


def test_state_is_kept_per_session(app: gr.Blocks, at: AppTest) -> None:
    count, log = (h for h in at.get_all(type="state"))
    assert at.state[count] == 0 and at.state[log] == []
    at.get("Name").set("Ada")
    at.click("Greet")
    at.click("Greet")
    assert at.state[count] == 2 and count.value == 2
    assert at.state[log] == ["Hello, Ada!", "Hello, Ada!"]
    other = at.new_session()
    assert other.state[count] == 0 and other.get("Greeting").value == "from load"
    other.get("Name").set("Bo")
    other.click("Greet")
    assert other.state[count] == 1 and at.state[count] == 2
    assert at.get("Greeting").value == "Hello, Ada!"
    assert other.session_hash != at.session_hash
    with pytest.raises(KeyError):
        at.state[at.get(elem_id="name-box")]


def test_updates_change_props(at: AppTest) -> None:
    name = at.get("Name")
    assert name.visible and name.label == "Name"
    at.click("Greet")
    assert not name.visible and name.label == "Gone"
    assert name.props["elem_id"] == "name-box"


def test_gr_error_fails_the_event_with_its_message(at: AppTest) -> None:
    at.get("Name").set("")
    result = at.click("Check")
    assert not result.ok
    assert result.error == "Give a name first"
    assert result.failures[0].title == "Missing name"
    assert result.toasts[0].level == "error"
    assert at.get("After").value == "failed"  # .failure() ran, .success() did not
    at.get("Name").set("Ada")
    assert at.click("Check").ok and at.get("After").value == "passed"


def test_an_unexpected_exception_is_hidden_unless_show_error(app: gr.Blocks) -> None:
    with AppTest(app) as at:
        failure = at.click("Crash").failures[0]
        assert not failure.shared and "secret" not in failure.message
    with AppTest(app, show_error=True) as at:
        assert at.click("Crash").error == "secret internals"


def test_warning_and_success_toasts(at: AppTest) -> None:
    result = at.click("Toasts")
    assert [(t.level, t.message) for t in result.toasts] == [("warning", "careful"),
                                                              ("success", "saved")]


def test_setting_a_value_fires_its_change_event(at: AppTest) -> None:
    result = at.get("Greeting").set("typed")
    assert at.get("Shout").value == "TYPED"
    assert [run.trigger[1] for run in result.runs] == ["change"]
    assert at.get("Greeting").set("typed").runs == []  # no change, no event


def test_run_event_by_api_name(at: AppTest) -> None:
    result = at.run_event("refuse", "Cy")
    assert result.data == ["Cy"] and at.get("Name").value == "Cy"
    with pytest.raises(LookupError):
        at.run_event("nothing")
    with pytest.raises(ValueError, match="takes 1 input"):
        at.run_event("refuse", "a", "b")


def test_a_closed_session_refuses_work(app: gr.Blocks) -> None:
    at = AppTest(app)
    at.close()
    with pytest.raises(RuntimeError, match="closed"):
        at.click("Greet")


def double(x: float) -> float:
    return x * 2


def test_interface_submit() -> None:
    demo = gr.Interface(double, gr.Number(label="x"), gr.Number(label="doubled"))
    with AppTest(demo) as at:
        at.get("x").set(21)
        result = at.click("Submit")
        assert result.ok and at.get("doubled").value == 42
        at.click("Clear")
        assert at.get("x").value is None and at.get("doubled").value is None


def test_chat_interface_answers() -> None:
    def echo(message: str, history: list[Any]) -> str:
        return f"you said {message}"

    with AppTest(gr.ChatInterface(echo)) as at:
        box = at.get(type="textbox")
        box.set("hi")
        result = box.submit()
        assert result.ok
        chat = at.get(type="chatbot").value
        assert [m["role"] for m in chat] == ["user", "assistant"]
        assert chat[-1]["content"] == [{"type": "text", "text": "you said hi"}]


def test_new_choices_hold_for_the_session_that_got_them() -> None:
    with gr.Blocks() as demo:
        choice = gr.Dropdown(["x", "y"], label="choice")
        picked = gr.Textbox(label="picked")
        gr.Button("relabel").click(lambda: gr.update(choices=["p", "q"], value="q"), None,
                                   choice)
        gr.Button("echo").click(lambda c: c, choice, picked)
    with AppTest(demo) as at:
        other = at.new_session()
        at.click("relabel")
        assert at.get("choice").props["choices"] == [["p", "p"], ["q", "q"]]
        assert at.get("choice").value == "q"
        assert at.click("echo").ok and at.get("picked").value == "q"
        assert other.get("choice").props["choices"] == [["x", "x"], ["y", "y"]]
        other.get("choice").set("q")
        assert not other.click("echo").ok  # not one of this session's choices


def test_event_data_and_request_reach_the_function() -> None:
    def select(value: str, evt: gr.SelectData, request: gr.Request) -> str:
        return f"{value}|{evt.index}|{evt.value}|{request.session_hash}"

    with gr.Blocks() as demo:
        choice = gr.Radio(["x", "y"], label="choice")
        picked = gr.Textbox(label="picked")
        choice.select(select, choice, picked)
    with AppTest(demo) as at:
        at.get("choice").set("y")
        at.get("choice").trigger("select", {"index": 1, "value": "y", "selected": True})
        assert at.get("picked").value == f"y|1|y|{at.session_hash}"



def test_interactive_is_resolved_as_the_page_does() -> None:
    with gr.Blocks() as demo:
        source = gr.Textbox(label="source")
        shown = gr.Textbox(label="shown")
        fixed = gr.Textbox(label="fixed", interactive=False)
        gr.Textbox(label="alone")
        gr.Button("Copy").click(lambda s: s, source, shown)
        gr.Button("Unlock").click(lambda: gr.update(interactive=True), None, fixed)
    with AppTest(demo) as at:
        assert at.get("source").interactive and at.get("alone").interactive
        assert not at.get("shown").interactive  # only ever written by an event
        assert not at.get("fixed").interactive and at.get("Copy").interactive
        at.click("Unlock")
        assert at.get("fixed").interactive
