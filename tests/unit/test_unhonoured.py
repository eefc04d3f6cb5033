"""A Gradio keyword porch cannot honour warns once, naming it, and never silently."""

import warnings

import pytest

from porch.unhonoured import UnhonouredOptionWarning, reset_for_tests, unhonoured, warn_unhonoured


@pytest.fixture(autouse=True)
def clean():
    reset_for_tests()
    yield
    reset_for_tests()


def test_warns_once_per_owner_and_keyword():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warn_unhonoured("Textbox", "rtl")
        warn_unhonoured("Textbox", "rtl")
        warn_unhonoured("Number", "rtl")
    messages = [str(w.message) for w in caught if w.category is UnhonouredOptionWarning]
    assert len(messages) == 2
    assert "Textbox: `rtl=`" in messages[0] and "Number: `rtl=`" in messages[1]


def test_default_values_do_not_warn_and_others_do():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        unhonoured("Image", {"watermark": None, "rtl": False}, {"watermark": None, "rtl": False})
        assert not caught
        unhonoured("Image", {"rtl": True}, {"watermark": None, "rtl": False})
    assert [str(w.message).split(":")[1].strip() for w in caught] == ["`rtl=` is accepted for "
                                                                       "Gradio compatibility but "
                                                                       "porch does not act on it "
                                                                       "yet."]


def test_values_without_plain_equality_count_as_given():
    class NoTruth:
        def __eq__(self, other):
            raise ValueError("ambiguous")

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        unhonoured("Dataframe", {"styling": NoTruth()}, {"styling": None})
    assert len(caught) == 1
