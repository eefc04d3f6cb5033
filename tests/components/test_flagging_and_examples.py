"""CSVLogger (files copied only through the gate) and the Examples helpers, against a real
file gate."""

from __future__ import annotations

import asyncio
import csv
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import porch as gr
from porch import protocol
from porch.blocks.examples import call_to_end
from porch.blocks.flagging import CSVLogger, _safe_name
from porch.components.base import current_conversion
from porch.errors import ConfigError, FileNotAllowed
from tests.components.conftest import Gate


def rows(path: Path) -> list[list[str]]:
    with path.open(newline="") as f:
        return list(csv.reader(f))


@pytest.fixture
def flagging(gate: Gate) -> Iterator[Gate]:
    token = current_conversion.set(gate.conversion)
    yield gate
    current_conversion.reset(token)


def test_rows_files_and_columns(flagging: Gate) -> None:
    text, doc, state = gr.Textbox(label="text", render=False), gr.File(label="doc",
                                                                         render=False), gr.State()
    logger = CSVLogger()
    logger.setup([text, doc, state], flagging.root / "flags")
    upload = flagging.upload(b"uploaded body", "../../evil name.txt")
    assert logger.flag(["hello", upload, {"secret": 1}], flag_option="good") == 1
    assert logger.flag(["again", None]) == 2  # without the State slot
    table = rows(flagging.root / "flags" / "dataset.csv")
    assert table[0] == ["text", "doc", "flag", "timestamp"]
    assert table[1][0] == "hello" and table[1][2] == "good"
    copied = flagging.root / "flags" / table[1][1]
    assert copied.read_bytes() == b"uploaded body"
    assert copied.name == "evil_name.txt" and copied.is_relative_to(flagging.root / "flags")
    assert table[2][:3] == ["again", "", ""]


def test_a_new_set_of_columns_starts_a_new_file(flagging: Gate) -> None:
    first = CSVLogger()
    first.setup([gr.Number(label="n", render=False)], flagging.root / "flags")
    first.flag([1])
    second = CSVLogger()
    second.setup([gr.Textbox(label="t", render=False)], flagging.root / "flags")
    second.flag(["x"])
    assert rows(flagging.root / "flags" / "dataset.csv")[0][0] == "n"
    assert rows(flagging.root / "flags" / "dataset_2.csv")[0][0] == "t"


def test_function_side_paths_are_adopted_like_outputs(flagging: Gate) -> None:
    logger = CSVLogger()
    logger.setup([gr.File(label="f", render=False)], flagging.root / "flags")
    inside = flagging.work / "report.txt"
    inside.write_text("report")
    logger.flag([str(inside)])
    outside = flagging.outside / "secret.txt"
    outside.write_text("SECRET")
    with pytest.raises(FileNotAllowed):
        logger.flag([str(outside)])
    written = [p.read_text() for p in (flagging.root / "flags").rglob("*.txt")]
    assert written == ["report"]


def test_flagging_files_needs_a_served_app(gate: Gate) -> None:
    logger = CSVLogger()
    logger.setup([gr.File(render=False)], gate.root / "flags")
    with pytest.raises(ConfigError):
        logger.flag([gate.upload(b"x", "x.txt")])
    with pytest.raises(ConfigError, match="setup"):
        CSVLogger().flag(["x"])


def test_a_row_torn_by_a_killed_process_does_not_swallow_the_next(tmp_path: Path) -> None:
    logger = CSVLogger()
    logger.setup([gr.Textbox(label="t", render=False)], tmp_path)
    assert logger.flag(["first"]) == 1
    with (tmp_path / "dataset.csv").open("a", encoding="utf-8") as f:
        f.write("half a ro")  # a process killed while writing its row
    assert logger.flag(["next"]) == 3
    table = rows(tmp_path / "dataset.csv")
    assert table[2] == ["half a ro"] and table[3][0] == "next" and len(table[3]) == 3
    assert (tmp_path / ".flagging.lock").exists()  # the lock every process takes


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.one_of(st.text(min_size=1, max_size=30),
                      st.sampled_from(["/etc/passwd", "../secret.txt", "/proc/self/environ",
                                       "@secret", "@secret/../secret.txt"])),
       nested=st.booleans())
def test_no_client_path_is_ever_copied(flagging: Gate, path: str, nested: bool) -> None:
    """A FileData a client wrote, alone or inside a JSON value, is copied only if issued."""
    secret = flagging.outside / "secret.txt"
    secret.write_text("SECRET")
    forged = {"path": path.replace("@secret", str(secret)),
              "meta": {"_type": protocol.FILE_DATA_TYPE}}
    logger = CSVLogger()
    logger.setup([gr.JSON(label="j", render=False)], flagging.root / "flags")
    try:
        logger.flag([{"deep": [forged]} if nested else forged])
    except (FileNotAllowed, ValueError):
        pass
    for copied in (flagging.root / "flags").rglob("*"):
        if copied.is_file() and copied.name != "dataset.csv":
            assert copied.read_bytes() != b"SECRET"


def test_safe_names() -> None:
    assert _safe_name("../../etc/passwd") == "passwd"
    assert _safe_name(".hidden") == "hidden"
    assert _safe_name("a\\b\\c.txt") == "c.txt"
    assert _safe_name("...") == "file"


# ---- examples ---------------------------------------------------------------------------------
def sync_fn(x: int) -> int:
    return x + 1


def gen_fn(x: int) -> Iterator[int]:
    yield x
    yield x + 2


async def coro_fn(x: int) -> int:
    await asyncio.sleep(0)
    return x * 10


async def agen_fn(x: int) -> AsyncIterator[int]:
    yield x
    yield x * 3


@pytest.mark.parametrize(("fn", "expected"), [
    (sync_fn, 2), (gen_fn, 3), (coro_fn, 10), (agen_fn, 3)])
def test_call_to_end_gives_the_final_value(fn: Any, expected: int) -> None:
    assert call_to_end(fn, [1], {}) == expected


def test_call_to_end_inside_a_running_loop() -> None:
    async def main() -> Any:
        return call_to_end(coro_fn, [2], {})

    assert asyncio.run(main()) == 20


def test_examples_are_checked_where_written() -> None:
    with gr.Blocks():
        a, b = gr.Textbox(), gr.Textbox()
        with pytest.raises(ConfigError, match="2 inputs"):
            gr.Examples([["x", "y", "z"]], [a, b])
        with pytest.raises(ConfigError, match="list with one value per input"):
            gr.Examples(["x"], [a, b])
        with pytest.raises(ConfigError, match="fn= and outputs="):
            gr.Examples([["x", "y"]], [a, b], cache_examples=True)
        short = gr.Examples([["only a"]], [a, b])
    assert short.examples == [["only a", None]]
    with pytest.raises(ConfigError, match="inside"):
        gr.Examples([["x"]], [gr.Textbox(render=False)])
