"""`Api` values (porch.api, Server.api) against a real file gate: any FileData inside a value,
at any depth, passes the gate both ways; everything else passes unchanged."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from porch import protocol
from porch.components.api_value import Api
from porch.errors import FileNotAllowed
from tests.components.conftest import Gate

META = {"_type": protocol.FILE_DATA_TYPE}


def nest(value: Any, depth: int) -> Any:
    for level in range(depth):
        value = [value] if level % 2 else {"k": value}
    return value


def test_an_issued_file_reaches_the_function_as_its_host_path(gate: Gate) -> None:
    sent = gate.upload(b"hello", "note.txt")
    reference = gate.cache.reference(gate.cache.lookup(Path(sent["path"])))  # type: ignore[arg-type]
    got = Api().preprocess({"doc": [{**sent, "path": reference}], "n": 3}, gate.conversion)
    assert got["n"] == 3
    assert Path(got["doc"][0]["path"]).read_bytes() == b"hello"
    assert got["doc"][0]["orig_name"] == "note.txt"


def test_a_returned_file_is_served_only_if_granted(gate: Gate) -> None:
    granted = gate.allowed / "ok.txt"
    granted.write_text("fine")
    secret = gate.outside / "secret.txt"
    secret.write_text("no")
    out = Api().postprocess({"files": [{"path": str(granted), "meta": META}], "label": "x"},
                            gate.conversion)
    assert out["label"] == "x"
    assert gate.is_issued(out["files"][0]["path"])
    assert gate.stored(out["files"][0]["path"]).read_text() == "fine"
    with pytest.raises(FileNotAllowed):
        Api().postprocess([{"path": str(secret), "meta": META}], gate.conversion)
    assert Api().postprocess(protocol.FileData(path=str(granted)), gate.conversion)["url"]


def test_plain_strings_are_never_files(gate: Gate) -> None:
    secret = gate.outside / "secret.txt"
    secret.write_text("no")
    assert Api().postprocess([str(secret)], gate.conversion) == [str(secret)]
    assert Api().preprocess({"path": str(secret)}, gate.conversion) == {"path": str(secret)}


paths = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["../outside/secret.txt", "/etc/passwd", "outside/secret.txt",
                     "..%2Foutside%2Fsecret.txt", "/proc/self/environ", "~/.ssh/id_rsa"]),
)


@pytest.fixture
def gate_for_hypothesis(gate: Gate) -> Gate:
    (gate.outside / "secret.txt").write_text("no")
    (gate.allowed / "ok.txt").write_text("fine")
    (gate.work / "app.py").write_text("print()")
    return gate


# The examples share one gate on purpose: they only read it.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=paths, depth=st.integers(0, 4))
def test_an_input_naming_a_file_not_issued_never_reaches_the_function(
        gate_for_hypothesis: Gate, path: str, depth: int) -> None:
    gate = gate_for_hypothesis
    for candidate in (path, str(gate.outside / "secret.txt"), str(gate.allowed / "ok.txt"),
                      str(gate.work / "app.py")):
        with pytest.raises(FileNotAllowed):
            Api().preprocess(nest({"path": candidate, "meta": META}, depth), gate.conversion)
