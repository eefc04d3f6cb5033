"""gr.cache and gr.Cache without a server: keys by content, the store's bounds, every kind
of function, and how porch fills in a gr.Cache parameter."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

import porch as gr
from porch.blocks.context import Request, SelectData
from porch.blocks.signature import signature_of
from porch.caching import CacheMiss, Unhashable, forget_session
from porch.caching.content import digest
from porch.caching.scope import current_session, event_scope, probing, tracking, upload_roots
from porch.caching.store import CacheStore


class Counter:
    def __init__(self) -> None:
        self.calls = 0


# ---- keys -------------------------------------------------------------------------------

def test_kinds_of_value_are_told_apart() -> None:
    values = [1, 1.0, "1", b"1", [1], (1,), {1}, {"1": 1}, True, None, 1 + 0j]
    assert len({digest(v) for v in values}) == len(values)


def test_equal_content_gives_equal_keys() -> None:
    assert digest({"a": 1, "b": [2, 3]}) == digest({"b": [2, 3], "a": 1})
    assert digest({3, 1, 2}) == digest({1, 2, 3})
    assert digest(np.arange(6).reshape(2, 3)) == digest(np.arange(6).reshape(2, 3))
    assert digest(np.arange(6).reshape(2, 3)) != digest(np.arange(6).reshape(3, 2))
    assert digest(np.arange(3, dtype=np.int32)) != digest(np.arange(3, dtype=np.int64))
    assert digest(np.arange(4)[::2]) == digest(np.array([0, 2]))  # a strided view too


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text() | st.binary()
                    | st.floats(allow_nan=False),
                    lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.text(max_size=5), inner, max_size=4),
                    max_leaves=20))
def test_a_key_depends_only_on_content(value: Any) -> None:
    import copy

    assert digest(value) == digest(copy.deepcopy(value))


def test_images_and_frames_by_pixels_and_cells() -> None:
    red = Image.new("RGB", (4, 4), "red")
    assert digest(red) == digest(Image.new("RGB", (4, 4), "red"))
    assert digest(red) != digest(Image.new("RGB", (4, 4), "blue"))
    assert digest(red) != digest(red.convert("RGBA"))
    frame = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    assert digest(frame) == digest(frame.copy())
    assert digest(frame) != digest(frame.rename(columns={"a": "c"}))
    changed = frame.copy()
    changed.loc[1, "b"] = "z"
    assert digest(frame) != digest(changed)
    assert digest(frame["a"]) == digest(pd.Series([1, 2], name="a"))


def test_objects_by_their_fields() -> None:
    @dataclasses.dataclass
    class Point:
        x: int
        y: int

    class Plain:
        def __init__(self, v: int) -> None:
            self.v = v

    assert digest(Point(1, 2)) == digest(Point(1, 2)) != digest(Point(2, 1))
    assert digest(Plain(1)) == digest(Plain(1)) != digest(Plain(2))


def test_unhashable_values_are_a_clear_error() -> None:
    @gr.cache
    def f(x: Any) -> Any:
        return x

    with pytest.raises(Unhashable, match="cannot make a cache key of a function"):
        f(lambda: None)
    loop: list[Any] = []
    loop.append(loop)
    with pytest.raises(TypeError, match="contains itself"):
        f(loop)


def test_uploads_are_keyed_by_name_and_bytes(tmp_path: Path) -> None:
    root = tmp_path / "uploads"
    for token, body in (("a", b"same"), ("b", b"same"), ("c", b"other")):
        (root / token).mkdir(parents=True)
        (root / token / "photo.png").write_bytes(body)
    first, second, other = (str(root / t / "photo.png") for t in "abc")
    assert digest(first) != digest(second)  # outside an event: just strings
    with event_scope(None, (root,)):
        assert digest(first) == digest(second)
        assert digest(first) != digest(other)
        assert digest(str(tmp_path / "elsewhere")) == digest(str(tmp_path / "elsewhere"))
    assert digest(Path(first)) == digest(Path(second))  # the app's own Paths: by content


@given(st.text(alphabet=st.sampled_from("ab./\x00"), max_size=12))
def test_only_regular_files_under_an_upload_root_are_read(tail: str) -> None:
    import tempfile

    from porch.caching.content import _upload_path

    with tempfile.TemporaryDirectory() as base:
        root = Path(base) / "uploads"
        (root / "a").mkdir(parents=True)
        (root / "a" / "b").write_bytes(b"upload")
        (Path(base) / "b").write_bytes(b"outside")
        (root / "a" / "link").symlink_to(Path(base) / "b")
        token = upload_roots.set((root,))
        try:
            for text in (f"{root}/{tail}", f"{root}{tail}", tail):
                found = _upload_path(text)
                if found is not None:
                    assert found.resolve().is_relative_to(root.resolve())
                    assert found.is_file() and not found.is_symlink()
                digest(text)  # never raises, whatever the text
            assert _upload_path(f"{root}/a/b") == root / "a" / "b"
            assert _upload_path(f"{root}/a/link") is None
            assert _upload_path(f"{root}/../b") is None
            assert _upload_path(f"{root}x/a/b") is None
        finally:
            upload_roots.reset(token)


def test_context_parameters_are_left_out_of_the_key() -> None:
    counter = Counter()

    @gr.cache
    def f(x: int, request: Request, progress: gr.Progress = gr.Progress()) -> int:  # noqa: B008
        counter.calls += 1
        return x

    f(1, Request(url="http://a/"), progress=gr.Progress())
    f(1, Request(url="http://b/"), progress=gr.Progress())
    assert counter.calls == 1
    assert digest(SelectData(None, {"index": 1})) != digest(SelectData(None, {"index": 2}))


# ---- the store --------------------------------------------------------------------------

def test_least_recently_used_goes_first() -> None:
    store = CacheStore(max_size=2)
    store.put((None, "a"), 1)
    store.put((None, "b"), 2)
    assert store.get((None, "a")) is not None  # a is now the most recent
    store.put((None, "c"), 3)
    assert store.get((None, "b")) is None
    assert [store.get((None, k)) is not None for k in "ac"] == [True, True]
    assert len(CacheStore(max_size=0)) == 0


def test_entries_expire_after_their_ttl() -> None:
    now = [100.0]
    store = CacheStore(ttl=10, clock=lambda: now[0])
    store.put((None, "a"), 1, raw_key="a")
    now[0] = 109.9
    assert store.get((None, "a")) is not None
    now[0] = 110.0
    assert store.get((None, "a")) is None
    store.put((None, "b"), 2, raw_key="b")
    now[0] = 200
    assert len(store) == 0 and store.raw_keys(None) == []
    with pytest.raises(ValueError):
        CacheStore(ttl=0)


def test_the_byte_bound_holds() -> None:
    store = CacheStore(max_size=0, max_bytes=1000)
    for i in range(5):
        assert store.put((None, str(i)), b"x" * 300)
        assert store.total_bytes <= 1000
    assert len(store) == 3 and store.get((None, "4")) is not None
    assert not store.put((None, "big"), b"x" * 2000)  # alone over the bound: not kept
    assert len(store) == 3
    assert gr.Cache(max_memory="1kb")._store.max_bytes == 1024


def test_sessions_have_their_own_entries() -> None:
    counter = Counter()

    @gr.cache(per_session=True)
    def f(x: int) -> int:
        counter.calls += 1
        return x

    for session in ("s1", "s2", "s1"):
        token = current_session.set(session)
        try:
            f(1)
        finally:
            current_session.reset(token)
    assert counter.calls == 2
    assert forget_session("s1") >= 1
    token = current_session.set("s1")
    try:
        f(1)
    finally:
        current_session.reset(token)
    assert counter.calls == 3


# ---- the decorator ----------------------------------------------------------------------

def test_a_second_call_with_the_same_inputs_does_not_run() -> None:
    counter = Counter()

    @gr.cache
    def add(a: int, b: int = 2) -> int:
        counter.calls += 1
        return a + b

    assert add(1) == add(1, 2) == add(a=1) == 3
    assert counter.calls == 1
    assert add(2) == 4 and counter.calls == 2
    assert len(add.cache) == 2  # type: ignore[attr-defined]
    add.cache.clear()  # type: ignore[attr-defined]
    add(1)
    assert counter.calls == 3


def test_failures_are_not_stored() -> None:
    counter = Counter()

    @gr.cache
    def flaky(x: int) -> int:
        counter.calls += 1
        if counter.calls == 1:
            raise RuntimeError("first time")
        return x

    with pytest.raises(RuntimeError):
        flaky(1)
    assert flaky(1) == 1 and flaky(1) == 1 and counter.calls == 2


def test_generators_replay_every_step_as_it_was() -> None:
    counter = Counter()

    @gr.cache
    def chat(prompt: str) -> Any:
        counter.calls += 1
        history: list[str] = []
        for word in prompt.split():
            history.append(word)  # one list, changed in place
            yield history

    first = [list(step) for step in chat("a b c")]
    again = [list(step) for step in chat("a b c")]
    assert first == again == [["a"], ["a", "b"], ["a", "b", "c"]]
    assert counter.calls == 1


def test_a_stream_stopped_midway_is_not_stored() -> None:
    counter = Counter()

    @gr.cache
    def count(n: int) -> Any:
        counter.calls += 1
        yield from range(n)

    stream = count(3)
    next(stream)
    stream.close()
    assert list(count(3)) == [0, 1, 2]
    assert list(count(3)) == [0, 1, 2]
    assert counter.calls == 2


def test_coroutines_and_async_generators() -> None:
    counter = Counter()

    @gr.cache
    async def double(x: int) -> int:
        counter.calls += 1
        return 2 * x

    @gr.cache
    async def steps(n: int) -> Any:
        counter.calls += 1
        for i in range(n):
            yield i

    async def run() -> tuple[Any, ...]:
        a, b = await double(2), await double(2)
        c = [i async for i in steps(3)]
        d = [i async for i in steps(3)]
        return a, b, c, d

    assert asyncio.run(run()) == (4, 4, [0, 1, 2], [0, 1, 2])
    assert counter.calls == 2


def test_key_function_and_runtime_wrapping() -> None:
    counter = Counter()

    def retrieve(query: str, top: int = 3) -> str:
        counter.calls += 1
        return query.upper()

    first = gr.cache(retrieve, key=None)
    assert gr.cache(retrieve) is first  # the same wrapper each time: its entries persist
    first("q")
    gr.cache(retrieve)("q")
    assert counter.calls == 1

    def by_prompt(kw: dict[str, Any]) -> Any:
        return kw["query"]

    on_query = gr.cache(retrieve, key=by_prompt)
    on_query("q", top=1)
    on_query("q", top=9)
    assert counter.calls == 2
    with pytest.raises(TypeError, match="expects a function"):
        gr.cache(retrieve("q"))  # type: ignore[call-overload]


def test_probing_answers_hits_and_refuses_to_run_misses() -> None:
    counter = Counter()

    @gr.cache
    def f(x: int) -> int:
        counter.calls += 1
        return x

    with event_scope(None, (), probe=True) as use:
        with pytest.raises(CacheMiss):
            f(1)
    assert counter.calls == 0 and use.kind is None
    f(1)
    with event_scope(None, (), probe=True) as use:
        assert f(1) == 1
    assert use.kind == "full" and not probing.get()
    with tracking() as use:
        f(1)
    assert use.kind == "partial"  # a helper's hit inside some other event
    with event_scope(None, (), fn=f) as use:
        f(1)
    assert use.kind == "full"  # the event's own function, queued, then found an entry


# ---- gr.Cache ---------------------------------------------------------------------------

def test_manual_cache_get_set_keys_clear() -> None:
    c = gr.Cache(max_size=2)
    assert c.get("a") is None
    c.set("a", kv=[1], n=2)
    c.set(np.arange(3), v="arr")
    with tracking() as use:
        assert c.get("a") == {"kv": [1], "n": 2}
    assert use.kind == "partial"
    assert c.get(np.arange(3)) == {"v": "arr"}
    assert [k if isinstance(k, str) else "array" for k in c.keys()] == ["a", "array"]
    c.set("b", x=1)
    assert len(c) == 2 and c.get("a") is None  # least recently used ("a") evicted
    c.clear()
    assert len(c) == 0


def test_a_cache_default_is_filled_in_not_an_input() -> None:
    store = gr.Cache()

    def generate(prompt: str, c: gr.Cache = store) -> str:
        return prompt

    signature = signature_of(generate)
    assert [p.name for p in signature.inputs] == ["prompt"]
    args, kwargs = signature.bind(["hi"])
    assert args == ["hi"] and kwargs["c"] is store
    assert signature.bind(["again"])[1]["c"] is store  # the same store every call
