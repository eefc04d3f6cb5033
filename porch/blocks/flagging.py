"""Flagging: saving an event's inputs and outputs for the developer to look at later.

`CSVLogger` appends one row per flag to `<flagging_dir>/dataset.csv` (a column per component,
then `flag` and `timestamp`) and copies the row's files next to it. Files are copied only
through the gate: a FileData a client sent must name a file this app issued
(`FilePolicy.resolve_input`), and a value the function side holds is first converted by its
component (so a path is adopted like a returned file). A path a client wrote is never copied.

Replicas (or processes) flagging into one directory take turns: an exclusive `flock` on
`<flagging_dir>/.flagging.lock` is held while a row's dataset file is chosen, its header
written (once, by whoever creates the file), the row appended and the rows counted, so rows
never interleave and the count returned includes every process's rows (docs/cluster.md has the
limits: one machine, or a shared filesystem whose locks work across machines). Files are
copied before, outside the lock, into a folder named by the row's random id.

The default directory, `.porch/flagged` in the working directory, starts with a dot, so the
file route never serves it.

Changed in 0.1: flagged files come only from the gate (Gradio's CVE-2025-48889 copied any
path a client named).
"""

from __future__ import annotations

import csv
import json
import os
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from porch import protocol
from porch.components.base import Component, Conversion, current_conversion
from porch.components.state import State
from porch.errors import ConfigError
from porch.files.cache import CacheEntry

DEFAULT_FLAGGING_DIR = os.path.join(".porch", "flagged")
DATASET_NAME = "dataset.csv"
LOCK_NAME = ".flagging.lock"  # a dot file: never a dataset, never served
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def _safe_name(name: str, fallback: str = "file") -> str:
    """A file or folder name that cannot leave its directory or hide as a dot file."""
    base = _UNSAFE_NAME.sub("_", os.path.basename(name.replace("\\", "/"))).strip("._")
    return (base or fallback)[:100]


class FlaggingCallback:
    """What Interface and Blocks apps call to flag: `setup` once, then `flag` per row."""

    def setup(self, components: Sequence[Component], flagging_dir: str | os.PathLike[str],
              ) -> None:
        raise NotImplementedError

    def flag(self, flag_data: list[Any], flag_option: str | None = None,
             username: str | None = None) -> int:
        raise NotImplementedError


class CSVLogger(FlaggingCallback):
    """Flags into a CSV file, with each row's files copied beside it."""

    def __init__(self, simplify_file_data: bool = True, verbose: bool = True,
                 dataset_file_name: str | None = None) -> None:
        self.dataset_file_name = _safe_name(dataset_file_name or DATASET_NAME, DATASET_NAME)
        self.all_components: list[Component] = []
        self.components: list[Component] = []
        self.flagging_dir: Path | None = None
        self._lock = threading.Lock()

    def setup(self, components: Sequence[Component],
              flagging_dir: str | os.PathLike[str] = DEFAULT_FLAGGING_DIR) -> None:
        """Remember what to flag and where; the directory is made at the first flag."""
        self.all_components = list(components)
        self.components = [c for c in components if not isinstance(c, State)]
        self.flagging_dir = Path(os.path.abspath(flagging_dir))

    # ---- flagging -------------------------------------------------------------------------
    def flag(self, flag_data: list[Any], flag_option: str | None = None,
             username: str | None = None) -> int:
        """Append one row (the values of the components given to `setup`); returns how many
        rows the dataset holds."""
        if self.flagging_dir is None:
            raise ConfigError("Call CSVLogger.setup(components, flagging_dir) before flag().")
        components = self.components
        values = list(flag_data)
        if len(values) == len(self.all_components) != len(components):
            # Given with the State slots that are not flagged.
            values = [v for c, v in zip(self.all_components, values, strict=True)
                      if not isinstance(c, State)]
        if len(values) != len(components):
            raise ValueError(f"flag() got {len(values)} value(s) for {len(components)} "
                             "component(s).")
        conversion = current_conversion.get() or Conversion()
        import uuid  # at the first flag, not with `import porch`

        # The row's files go in folders named by this random id: no other row, in this
        # process or another, writes there, so copying needs no lock.
        row_id = uuid.uuid4().hex
        self.flagging_dir.mkdir(parents=True, exist_ok=True)
        cells = [self._cell(c, v, conversion, row_id) for c, v in zip(components, values,
                                                                       strict=True)]
        import datetime

        stamp = datetime.datetime.now().isoformat(timespec="seconds")
        with self._lock, _exclusive(self.flagging_dir / LOCK_NAME):
            return self._append([*cells, flag_option or "", stamp])

    def _header(self) -> list[str]:
        names: list[str] = []
        for index, component in enumerate(self.components):
            name = component.label or f"{component.block_type} {index}"
            while name in names:
                name += " (2)"
            names.append(name)
        return [*names, "flag", "timestamp"]

    def _dataset_path(self) -> Path:
        """dataset.csv, or the next free dataset_N.csv if its columns differ from ours."""
        assert self.flagging_dir is not None
        header = self._header()
        stem, _, suffix = self.dataset_file_name.rpartition(".")
        path = self.flagging_dir / self.dataset_file_name
        n = 1
        while path.exists():
            with path.open(newline="", encoding="utf-8") as f:
                if next(csv.reader(f), None) == header:
                    return path
            n += 1
            path = self.flagging_dir / f"{stem or 'dataset'}_{n}.{suffix or 'csv'}"
        return path

    def _append(self, row: list[str]) -> int:
        path = self._dataset_path()
        new = not path.exists()
        torn = not new and _ends_mid_line(path)
        with path.open("a", newline="", encoding="utf-8") as f:
            if torn:  # a process killed mid-row: the next row still starts on its own line
                f.write("\r\n")
            writer = csv.writer(f)
            if new:
                writer.writerow(self._header())
            writer.writerow(row)
        with path.open(newline="", encoding="utf-8") as f:
            return sum(1 for _ in csv.reader(f)) - 1

    # ---- one cell -------------------------------------------------------------------------
    def _cell(self, component: Component, value: Any, conversion: Conversion,
              row_id: str) -> str:
        if _holds_file_data(value):
            # Already a wire payload (e.g. an event run with preprocess=False): every file in
            # it must be one this app issued.
            payload = value
        else:
            if component.does_io and conversion.policy is None:
                raise ConfigError("Files can only be flagged while the app is served.")
            payload = component.postprocess(value, conversion)
        folder = _safe_name(component.label or component.block_type, "column")
        copied = self._copy_files(payload, conversion, Path(folder) / row_id)
        if copied is None:
            return ""
        return copied if isinstance(copied, str) else json.dumps(copied, ensure_ascii=False)

    def _copy_files(self, payload: Any, conversion: Conversion, where: Path) -> Any:
        """`payload` with each FileData replaced by the path of its copy (relative to the
        flagging directory)."""
        if protocol.is_file_data(payload):
            return self._copy_one(payload, conversion, where)
        if isinstance(payload, dict):
            return {k: self._copy_files(v, conversion, where) for k, v in payload.items()}
        if isinstance(payload, (list, tuple)):
            return [self._copy_files(v, conversion, where) for v in payload]
        return payload

    def _copy_one(self, data: dict[str, Any], conversion: Conversion, where: Path) -> str:
        path = data.get("path")
        if not isinstance(path, str) or not path:
            raise ValueError("A flagged file has no path.")
        policy = conversion.require_policy()
        # The gate: only a file this app issued (an upload, an output) or a static file.
        entry: CacheEntry = policy.resolve_input(path)
        assert self.flagging_dir is not None
        folder = self.flagging_dir / where
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / _safe_name(entry.orig_name or entry.path.name)
        with policy.open_for_serving(str(entry.path)) as source, target.open("xb") as out:
            while chunk := source.file.read(1 << 20):
                out.write(chunk)
        return target.relative_to(self.flagging_dir).as_posix()


@contextmanager
def _exclusive(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on `path` (made if missing) against every process that takes
    it the same way. Where there is no `fcntl` (Windows) only this process's lock holds."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - POSIX is where porch is tested
        yield
        return
    with path.open("a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _ends_mid_line(path: Path) -> bool:
    with path.open("rb") as f:
        f.seek(0, os.SEEK_END)
        if f.tell() == 0:
            return False
        f.seek(-1, os.SEEK_END)
        return f.read(1) != b"\n"


def _holds_file_data(value: Any, depth: int = 0) -> bool:
    if depth > 8:
        return False
    if protocol.is_file_data(value):
        return True
    if isinstance(value, dict):
        return any(_holds_file_data(v, depth + 1) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_holds_file_data(v, depth + 1) for v in value)
    return False


class SimpleCSVLogger(CSVLogger):
    """Gradio's minimal CSV flagger: the same CSV file and copied files, with no options."""

    def __init__(self) -> None:
        super().__init__()
