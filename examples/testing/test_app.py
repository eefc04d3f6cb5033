"""The to-do app's tests: `pytest examples/testing`. No server, port or browser: AppTest
drives the app in-process, through the same queue and checks as the page's requests."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from porch.testing import AppTest

APP = Path(__file__).with_name("app.py")


@pytest.fixture
def at() -> Iterator[AppTest]:
    with AppTest.from_file(APP) as tester:
        yield tester


def test_the_load_event_says_how_to_start(at: AppTest) -> None:
    assert at.get("Progress").value == "Add something to start."


def test_adding_an_item_lists_it(at: AppTest) -> None:
    at.get("New item").set("milk")
    result = at.click("Add")
    assert result.ok
    assert result.messages("info") == ["Added milk."]
    assert at.get(elem_id="listing").value == "- milk"
    assert at.get("New item").value == ""  # cleared for the next one
    assert at.get("Clear").visible  # the chain's gr.update showed it
    assert at.state[at.get(type="state")] == ["milk"]


def test_enter_adds_too(at: AppTest) -> None:
    at.get("New item").set("eggs")
    at.submit("New item")
    assert at.get(elem_id="listing").value == "- eggs"


def test_an_empty_item_is_refused(at: AppTest) -> None:
    result = at.click("Add")
    assert result.error == "Type something to add."
    assert result.failures[0].title == "Nothing to add"
    assert at.get(elem_id="listing").value == "Nothing to do."


def test_a_duplicate_warns(at: AppTest) -> None:
    for _ in range(2):
        at.get("New item").set("milk")
        result = at.click("Add")
    assert result.messages("warning") == ["milk is already on the list."]
    assert at.get(elem_id="listing").value == "- milk"


def test_working_through_streams_each_step(at: AppTest) -> None:
    for name in ("milk", "eggs"):
        at.get("New item").set(name)
        at.click("Add")
    steps = [step.data for step in at.stream("Work through them")]
    assert steps == [["1/2: milk"], ["2/2: eggs"]]
    assert at.get("Progress").value == "2/2: eggs"


def test_every_user_has_a_list_of_their_own(at: AppTest) -> None:
    at.get("New item").set("milk")
    at.click("Add")
    other = at.new_session()
    assert other.get(elem_id="listing").value == "Nothing to do."
    assert not other.get("Clear").visible
    at.click("Clear")
    assert at.get(elem_id="listing").value == "Nothing to do."
    assert not at.get("Clear").visible
