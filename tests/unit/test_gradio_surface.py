"""The promise `import porch as gr`: every public name of the installed Gradio (6.31) exists in
porch, and every keyword a Gradio component, layout, helper or event listener takes, porch
takes too, with the same default. A keyword porch does not act on yet is declared in the
class's `unhonoured_keywords` and warns once when given (porch.unhonoured), never silently.
"""

from __future__ import annotations

import inspect
import warnings
from typing import Any

import gradio
import pytest

import porch
from porch.blocks.events import EVENT_KEYWORDS
from porch.server.serve import UNHONOURED_LAUNCH_OPTIONS

EMPTY = inspect.Parameter.empty

# Names of gr.__all__ porch does not have yet. The set can only shrink: a name that appears in
# porch must then match in full (test_every_keyword_...), and must be taken out of here.
MISSING_NAMES: set[str] = set()

# Defaults that differ on purpose, each with the reason.
DIFFERENT_DEFAULTS = {
    # A porch app's page is titled "porch" unless the author names it, not "Gradio".
    ("Blocks", "title"),
    # Flags go under .porch/, beside porch's other files, not under .gradio/.
    ("Interface", "flagging_dir"),
    # porch's base carries the width most components share; Gradio's abstract base has None
    # and each concrete component sets its own (they are compared one by one).
    ("Component", "min_width"),
    # Gradio's Dataset says None and shows "Examples"; porch says what it shows.
    ("Dataset", "label"), ("Examples", "label"),
    # Gradio's HTML runs this script to fire `click`; porch's page runs no script from props
    # (its CSP forbids it) and wires HTML's click itself.
    ("HTML", "js_on_load"),
    # porch's Plot sends PNG, which matplotlib writes without Pillow; WebP would need it.
    ("Plot", "format"),
    # Examples load in the page; porch lists no `/load_example` endpoint unless named.
    ("Examples", "api_name"),
    # Gradio's is the path of the Hugging Face logo inside its own package; porch's button
    # signs in with any OpenID Connect issuer and draws no logo unless given one.
    ("LoginButton", "icon"),
    # Gradio's is a link icon inside its own package; porch's button draws no icon unless
    # given one (its text says what it does).
    ("DeepLinkButton", "icon"),
}

PENDING_KEYWORDS: dict[str, set[str]] = {}

# Classes whose keywords match Gradio's by name but whose defaults are porch's own, each
# with the reason.
OWN_DEFAULTS = {
    # Gradio's defaults are its palette and font objects; porch's None means porch's own
    # palette, and a Gradio colour or font given is honoured (porch.blocks.themes).
    "Theme",
}


def porch_keywords(obj: Any) -> dict[str, Any] | None:
    """Keyword -> default porch takes for `obj`, following **kwargs into its bases and the
    keywords its classes declare as accepted but not acted on."""
    targets = ([c.__dict__["__init__"] for c in obj.__mro__ if "__init__" in c.__dict__
                and c is not object] if inspect.isclass(obj) else [obj])
    found: dict[str, Any] = {}
    for target in targets:
        try:
            parameters = inspect.signature(target).parameters.values()
        except (TypeError, ValueError):
            return None
        for p in parameters:
            if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL) and p.name != "self":
                found.setdefault(p.name, p.default)
        if not any(p.kind == p.VAR_KEYWORD for p in parameters):
            break
    declared = getattr(obj, "all_unhonoured_keywords", None)
    if callable(declared):
        for name, default in declared().items():
            found.setdefault(name, default)
    return found


def gradio_keywords(obj: Any) -> dict[str, Any] | None:
    try:
        parameters = inspect.signature(obj).parameters.values()
    except (TypeError, ValueError):
        return None
    return {p.name: p.default for p in parameters
            if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL) and not p.name.startswith("_")}


def same_default(ours: Any, theirs: Any) -> bool:
    if ours is theirs or repr(ours) == repr(theirs):
        return True
    if isinstance(ours, (int, float, str, tuple, list)) and not isinstance(ours, bool):
        try:
            return bool(ours == theirs)
        except Exception:  # pragma: no cover - a value without plain equality
            return False
    # Both a private "not given" marker (Gradio's and porch's own sentinel objects).
    return type(ours) is object or type(theirs).__name__ in ("DefaultValue", "_Default")


# Functions whose **options are an event listener's options, and `update`, whose keywords
# are any props of the component it updates.
FORWARDED_TO_EVENTS = {"on", "render"}
ANY_KEYWORD = {"update"}


def gaps(name: str) -> list[str]:
    theirs, ours = getattr(gradio, name), getattr(porch, name)
    wanted, taken = gradio_keywords(theirs), porch_keywords(ours)
    if wanted is None or taken is None or name in ANY_KEYWORD:
        return []
    if name in FORWARDED_TO_EVENTS:
        taken = {**EVENT_KEYWORDS, **taken}
    pending = PENDING_KEYWORDS.get(name, set())
    found = []
    for keyword, default in wanted.items():
        if keyword in pending:
            continue
        if keyword not in taken:
            found.append(f"{name}: no `{keyword}=`")
        elif (name, keyword) not in DIFFERENT_DEFAULTS and name not in OWN_DEFAULTS \
                and default is not EMPTY \
                and not same_default(taken[keyword], default):
            found.append(f"{name}: `{keyword}=` defaults to {taken[keyword]!r}, "
                         f"Gradio's to {default!r}")
    return found


def test_every_public_name_of_gradio_exists_in_porch() -> None:
    absent = {name for name in gradio.__all__ if not hasattr(porch, name)}
    assert absent - MISSING_NAMES == set(), "new in Gradio, missing in porch"
    assert MISSING_NAMES - absent == set(), "present now: take them out of MISSING_NAMES"


def test_every_keyword_gradio_takes_porch_takes_with_its_default() -> None:
    found = [gap for name in gradio.__all__ if hasattr(porch, name)
             and callable(getattr(gradio, name)) for gap in gaps(name)]
    assert found == []


@pytest.mark.parametrize("listener", ["click", "change", "submit"])
def test_event_listeners_take_every_gradio_listener_keyword(listener: str) -> None:
    theirs = gradio_keywords(getattr(gradio.Textbox if listener != "click" else gradio.Button,
                                     listener))
    assert theirs is not None
    ours = EVENT_KEYWORDS
    assert sorted(set(theirs) - set(ours) - {"block", "fn", "inputs", "outputs"}) == []
    for keyword, default in theirs.items():
        if keyword in ours and default is not EMPTY:
            assert same_default(ours[keyword], default), keyword


@pytest.mark.parametrize("method", ["launch", "queue"])
def test_launch_and_queue_take_every_gradio_keyword(method: str) -> None:
    theirs = gradio_keywords(getattr(gradio.Blocks, method))
    assert theirs is not None
    if method == "launch":
        # Blocks.launch() takes the look (theme, css, js, head) and hands the rest to
        # porch.server.serve.launch, which knows Gradio's other options by name.
        ours = {*inspect.signature(porch.server.serve.launch).parameters,
                *UNHONOURED_LAUNCH_OPTIONS, "theme", "css", "css_paths", "js", "head",
                "head_paths"}
    else:
        ours = set(inspect.signature(porch.Blocks.queue).parameters)
    assert sorted(set(theirs) - {"self"} - ours) == []


def test_an_unhonoured_keyword_warns_once_naming_it() -> None:
    from porch.unhonoured import UnhonouredOptionWarning, reset_for_tests

    reset_for_tests()
    with porch.Blocks():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            porch.Row(height=300)
            porch.Row(height=400)
            porch.Row()  # the default: nothing to say
    said = [str(w.message) for w in caught if w.category is UnhonouredOptionWarning]
    assert said == ["Row: `height=` is accepted for Gradio compatibility but porch does not "
                    "act on it yet."]
    reset_for_tests()


def test_a_keyword_neither_gradio_nor_porch_knows_is_a_type_error() -> None:
    with porch.Blocks(), pytest.raises(TypeError, match="unexpected keyword.*heigth"):
        porch.Row(heigth=300)
