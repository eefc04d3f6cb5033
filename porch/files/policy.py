"""The one gate: every file porch serves, copies or accepts as input is decided here.

1. Spelling first: ``paths.lexical_refusal`` refuses NUL, backslashes, Windows forms, ``..``
   (outputs from app code may use ``..``; it is resolved like the OS would) before any lookup.
2. Relative paths are taken from the working directory; the result must still be granted.
3. Blocked paths win over every grant, matched on the requested spelling AND on the resolved
   target (links followed), against both the configured and the resolved blocked path, and
   also case-insensitively. Case is only ever folded *after* resolving.
4. Serving grants: cache entries this app issued, allowed paths, static paths. Outputs add
   porch's own sample media (``porch/media_assets``, what porch.media returns) and (unless
   strict) the working directory, unless it is ``/``, a system directory or the home
   folder, and the temp directory, for files this app's user wrote there after it started, outside
   other apps' caches (``grants.py`` has the exact rules). ``/proc``, ``/sys`` and ``/dev``
   are refused whatever grants them, and so is a path ending in ``/`` (it names a folder).
5. Inside the cache directory only issued entries count, whatever else grants the directory.
6. A dot-named component below the granting directory is refused, unless the grant names
   that exact file; so is a file with several hard links (another name could be blocked or
   dotted), except a cache entry. Directories and missing files are refused alike.
7. Files are opened by walking the resolved path with ``O_NOFOLLOW`` on every component, then
   the descriptor's real location (and, for the cache, its inode) is checked again.
8. Refusals raise ``FileNotAllowed`` with the same message whether the file is missing,
   outside or blocked; the reason is logged to ``porch.files`` at INFO.
"""

from __future__ import annotations

import enum
import errno
import logging
import os
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from porch.errors import FileNotAllowed

from .cache import CacheEntry, FileCache
from .descriptors import fd_is_at as _fd_is_at
from .descriptors import open_nofollow as _open_nofollow  # tests swap it for races
from .grants import (
    PROCESS_STARTED_NS,
    cache_dirs,
    cwd_refusal,
    in_foreign_cache,
    is_never_served,
    temp_file_refused,
)
from .media import guess_type
from .paths import has_dot_component, is_within, lexical_refusal, within_casefold

__all__ = ["Decision", "FilePolicy", "FileRules", "Reason", "ServedFile"]

log = logging.getLogger("porch.files")

#: The folder porch.media's helpers return files from (granted to outputs, never to /file=).
BUNDLED_MEDIA = Path(__file__).resolve().parent.parent / "media_assets"


class Reason(enum.Enum):
    """Why a path was granted or refused (the value is what the log shows)."""

    CACHE = "cache"
    ALLOWED = "allowed"
    STATIC = "static"
    CWD = "cwd"
    TEMPDIR = "tempdir"
    BAD_SPELLING = "bad spelling"
    BLOCKED = "blocked"
    OUTSIDE = "outside"
    DOTFILE = "dotfile"
    MISSING = "missing"
    NOT_A_FILE = "not a file"
    NOT_ISSUED = "not issued"
    CHANGED = "changed while opening"
    UNREADABLE = "unreadable"
    NEVER_SERVED = "under /proc, /sys or /dev"
    HARDLINK = "several hard links"
    NOT_WRITTEN_HERE = "temp file this app did not write"
    FOREIGN_CACHE = "another app's file cache"
    BUNDLED = "porch's sample media"


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: Reason
    path: Path | None = None
    # The grant names this very file (not a folder above it): the hard-link rule is waived.
    exact: bool = False


@dataclass(frozen=True)
class FileRules:
    """The developer's grants, as absolute paths. Build with ``FileRules.build``.

    ``home`` and ``app_caches`` (porch's and Gradio's cache folders) shape the implicit grants.
    """

    allowed_paths: tuple[Path, ...]
    blocked_paths: tuple[Path, ...]
    static_paths: tuple[Path, ...]
    cwd: Path
    tempdir: Path
    strict: bool = False
    home: Path = Path("/")
    app_caches: tuple[Path, ...] = ()

    @classmethod
    def build(
        cls,
        allowed: Iterable[str | os.PathLike[str]] = (),
        blocked: Iterable[str | os.PathLike[str]] = (),
        static: Iterable[str | os.PathLike[str]] = (),
        *,
        strict: bool = False,
        cwd: str | os.PathLike[str] | None = None,
        tempdir: str | os.PathLike[str] | None = None,
        home: str | os.PathLike[str] | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> FileRules:
        """Rules with relative entries (``"."``) made absolute against ``cwd``.

        ``home`` defaults to the user's home folder, ``environ`` (for ``GRADIO_TEMP_DIR`` and
        ``PORCH_TEMP_DIR``) to ``os.environ``.
        """
        base = Path(os.path.abspath(cwd if cwd is not None else os.getcwd()))
        if tempdir is None:
            import tempfile  # on use: `import porch` stays light

            tempdir = tempfile.gettempdir()
        temp = Path(os.path.abspath(tempdir))

        def absolute(items: Iterable[str | os.PathLike[str]]) -> tuple[Path, ...]:
            return tuple(Path(os.path.normpath(base / os.fspath(item))) for item in items)

        user_home = Path(os.path.abspath(home if home is not None else Path.home()))
        caches = cache_dirs(temp, os.environ if environ is None else environ)
        return cls(absolute(allowed), absolute(blocked), absolute(static), base, temp, strict,
                   user_home, caches)


@dataclass(frozen=True)
class _Root:
    lexical: Path
    resolved: Path
    reason: Reason


@dataclass
class ServedFile:
    """An open, checked file. The caller closes it (or uses ``with``).

    ``path`` is its real location, ``name`` the basename to show, ``ino`` feeds the ETag;
    ``trusted`` says the developer granted it (allowed or static paths), for ``serving_headers``.
    """

    file: BinaryIO
    path: Path
    size: int
    mtime: float
    name: str
    granted_by: Reason
    ino: int = 0

    @property
    def trusted(self) -> bool:
        return self.granted_by in (Reason.ALLOWED, Reason.STATIC)

    def close(self) -> None:
        self.file.close()

    def __enter__(self) -> ServedFile:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class FilePolicy:
    """Decides, for one app, which paths may be served, returned or accepted as input."""

    def __init__(self, rules: FileRules, cache: FileCache, *,
                 written_since_ns: int | None = None) -> None:
        self.rules = rules
        self.cache = cache
        self._blocked = [_pair(p) for p in rules.blocked_paths]
        static = [_Root(*_pair(p), Reason.STATIC) for p in rules.static_paths]
        allowed = [_Root(*_pair(p), Reason.ALLOWED) for p in rules.allowed_paths]
        self._serving_roots = static + allowed
        cwd, temp = _pair(rules.cwd), _pair(rules.tempdir)
        #: Why the working directory is not granted (None: it is); the exposure report says it.
        self.cwd_refusal = cwd_refusal(cwd[1], Path(os.path.realpath(rules.home)), temp[1])
        implicit = [_Root(*temp, Reason.TEMPDIR)]
        if self.cwd_refusal is None:
            implicit.insert(0, _Root(*cwd, Reason.CWD))
        # porch's own sample files (porch.media) may be returned even under strict rules:
        # they ship with porch, not with the host, and are copied into the cache like others.
        bundled = [_Root(*_pair(BUNDLED_MEDIA), Reason.BUNDLED)]
        self._output_roots = (self._serving_roots + bundled
                              + ([] if rules.strict else implicit))
        # Temp files count only if written after this instant (see grants.py: why ctime, and
        # why the process's start rather than launch(): an app may write a file and then
        # launch with it as an initial value).
        self.launched_ns = PROCESS_STARTED_NS if written_since_ns is None else written_since_ns
        self._uid = os.geteuid()
        self._app_caches = [p for c in rules.app_caches for p in _pair(c)]
        # Inside the cache only issued entries count (a planted file is not an entry). When the
        # cache base encloses the cwd or temp dir (PORCH_TEMP_DIR=/tmp), reserving all of it
        # would void those grants, so only porch's own instance directory is reserved then.
        encloses = any(is_within(root.resolved, cache.base) for root in implicit)
        self._reserved = [cache.root] if encloses else [cache.base, cache.root]

    # -- decisions
    def check(self, candidate: str | Path) -> Decision:
        """May ``candidate`` (a ``/gradio_api/file=`` path, decoded once) be served?"""
        return self._decide(os.fspath(candidate), self._serving_roots, allow_parent=False)

    def check_output(self, path: str | Path) -> Decision:
        """May ``path``, returned by an app function, be served (moved to the cache)?"""
        return self._decide(os.fspath(path), self._output_roots, allow_parent=True)

    def _decide(self, text: str, roots: list[_Root], *, allow_parent: bool) -> Decision:
        if lexical_refusal(text, allow_parent=allow_parent) is not None:
            return Decision(False, Reason.BAD_SPELLING)
        if os.path.basename(text) in ("", "."):
            # "ok.txt/" names a folder: the OS would refuse to open it, so must the gate.
            return Decision(False, Reason.NOT_A_FILE)
        joined = os.path.join(self.rules.cwd, text)
        spelled = Path(os.path.normpath(joined))
        # realpath of the joined (not normalised) spelling: "link/.." means what the OS says.
        try:
            resolved = Path(os.path.realpath(joined))
        except OSError:
            # A link replaced while realpath read it (EINVAL from readlink on a non-link).
            return Decision(False, Reason.CHANGED)
        if is_never_served(spelled) or is_never_served(resolved):
            return Decision(False, Reason.NEVER_SERVED, resolved)
        if self._is_blocked(spelled, resolved):
            return Decision(False, Reason.BLOCKED, resolved)
        reason, exact = self._grant(spelled, resolved, roots)
        if reason not in _GRANTS:
            return Decision(False, reason, resolved)
        try:
            st = os.stat(resolved)
        except OSError:
            return Decision(False, Reason.MISSING, resolved)
        if not stat.S_ISREG(st.st_mode):
            return Decision(False, Reason.NOT_A_FILE, resolved)
        broken = self._broken_rule(reason, exact, st)
        if broken is not None:
            return Decision(False, broken, resolved)
        return Decision(True, reason, resolved, exact)

    def _broken_rule(self, reason: Reason, exact: bool, st: os.stat_result) -> Reason | None:
        """The rule the file with status ``st`` breaks for the grant ``reason``, if any."""
        if reason is Reason.TEMPDIR and temp_file_refused(st, self._uid, self.launched_ns):
            return Reason.NOT_WRITTEN_HERE
        if st.st_nlink > 1 and not exact and reason is not Reason.CACHE:
            return Reason.HARDLINK
        return None

    def is_blocked(self, path: Path) -> bool:
        """Does `blocked_paths` cover `path`, as spelled or resolved?"""
        return self._is_blocked(*_pair(path))

    def _is_blocked(self, *paths: Path) -> bool:
        return any(within_casefold(p, b) for p in paths for pair in self._blocked for b in pair)

    def _grant(self, spelled: Path, resolved: Path, roots: list[_Root]) -> tuple[Reason, bool]:
        """The grant that covers the path, and whether it names that exact file."""
        reserved = any(within_casefold(p, r) for p in (spelled, resolved) for r in self._reserved)
        if reserved:
            issued = self.cache.lookup(resolved) is not None
            return (Reason.CACHE if issued else Reason.NOT_ISSUED), False
        refusal = Reason.OUTSIDE
        for root in roots:
            if not is_within(resolved, root.resolved):
                continue
            if has_dot_component(resolved, root.resolved) or (
                is_within(spelled, root.lexical) and has_dot_component(spelled, root.lexical)
            ):
                refusal = Reason.DOTFILE
                continue
            if root.reason in _IMPLICIT and in_foreign_cache(
                resolved, self._app_caches, root.resolved
            ):
                refusal = Reason.FOREIGN_CACHE
                continue
            return root.reason, resolved == root.resolved
        return refusal, False

    # -- serving
    def open_for_serving(self, candidate: str) -> ServedFile:
        """Check ``candidate`` and open it; raise ``FileNotAllowed(candidate)`` if refused."""
        decision = self.check(candidate)
        if not decision.allowed or decision.path is None:
            raise self._refuse(candidate, decision.reason, candidate)
        try:
            fd, st = self._open_checked(decision)
        except _Refused as refused:
            raise self._refuse(candidate, refused.reason, candidate) from None
        return ServedFile(
            file=os.fdopen(fd, "rb"),
            path=decision.path,
            size=st.st_size,
            mtime=st.st_mtime,
            name=decision.path.name,
            granted_by=decision.reason,
            ino=st.st_ino,
        )

    def _open_checked(self, decision: Decision) -> tuple[int, os.stat_result]:
        """Open the checked path without following links; verify what was opened."""
        path, reason = decision.path, decision.reason
        assert path is not None  # granted decisions carry their path
        try:
            fd = _open_nofollow(path)
        except OSError as exc:
            # A link swapped in after the check makes O_NOFOLLOW fail here: that is the point.
            raise _Refused(_OPEN_ERRORS.get(exc.errno or 0, Reason.UNREADABLE)) from None
        st = os.fstat(fd)
        ok = stat.S_ISREG(st.st_mode) and _fd_is_at(fd, st, path)
        if ok and reason is Reason.CACHE:
            ok = self.cache.owns(path, st)
        # The inode opened may differ from the one checked: its rules are checked again.
        broken = self._broken_rule(reason, decision.exact, st) if ok else Reason.CHANGED
        if broken is not None:
            os.close(fd)
            raise _Refused(broken)
        return fd, st

    def _refuse(self, candidate: str | Path, reason: Reason, message: str) -> FileNotAllowed:
        log.info("refused %r: %s", os.fspath(candidate), reason.value)
        return FileNotAllowed(message)

    # -- outputs
    def adopt_output(self, path: str | Path) -> CacheEntry:
        """Make a path an app function returned servable, or raise with the fix in the message.

        Cache entries come back unchanged. Static files are served in place: the entry points
        at the static file itself (not a copy) and the file route serves it through
        ``open_for_serving`` like any other static file. Everything else is copied into the
        cache from a descriptor opened without following links.
        """
        text = os.fspath(path)
        decision = self.check_output(self.dereference(text))
        if not decision.allowed or decision.path is None:
            raise self._refuse(text, decision.reason, self._output_message(text, decision.reason))
        if decision.reason is Reason.CACHE:
            entry = self.cache.lookup(decision.path)
            if entry is not None:
                return entry
            raise self._refuse(text, Reason.CHANGED, self._output_message(text, Reason.CHANGED))
        if decision.reason is Reason.STATIC:
            static = _in_place(decision.path)
            if static is not None:
                return static
            raise self._refuse(text, Reason.CHANGED, self._output_message(text, Reason.CHANGED))
        try:
            fd, _ = self._open_checked(decision)
        except _Refused as refused:
            message = self._output_message(text, refused.reason)
            raise self._refuse(text, refused.reason, message) from None
        try:
            return self.cache.adopt_fd(fd, decision.path.name)
        finally:
            os.close(fd)

    def _output_message(self, path: str, reason: Reason) -> str:
        start = f"Cannot return {path}:"
        if reason is Reason.BLOCKED:
            return f"{start} it is in the app's blocked paths (launch(blocked_paths=[...]))."
        if reason is Reason.DOTFILE:
            return (
                f"{start} a file or folder in its path starts with '.'; such files are only "
                "served when listed exactly in launch(allowed_paths=[...])."
            )
        if reason in (Reason.NOT_ISSUED, Reason.FOREIGN_CACHE):
            return (
                f"{start} it is in a file cache (porch's or Gradio's) but was not created by "
                "this app; write the file elsewhere (e.g. tempfile.mkdtemp()) and return that "
                "path."
            )
        if reason is Reason.HARDLINK:
            return (
                f"{start} the file has several hard links, so porch cannot tell whether "
                "another of its names is blocked; return a copy, or list the file exactly in "
                "launch(allowed_paths=[...])."
            )
        if reason is Reason.BAD_SPELLING:
            return (
                f"{start} the path contains characters porch refuses (control characters, "
                "backslashes, ':' or ';', %-escapes, Windows device names)."
            )
        if reason in (Reason.CHANGED, Reason.UNREADABLE):
            return f"{start} the file changed or could not be read while porch copied it."
        if self.rules.strict:
            return (
                f"{start} strict file rules are on, so only uploaded files, allowed paths and "
                "static paths can be returned. Add its folder to launch(allowed_paths=[...])."
            )
        # OUTSIDE, MISSING, NOT_A_FILE, NEVER_SERVED and NOT_WRITTEN_HERE share one message:
        # a function that returns a client-chosen path must not tell the client which host
        # files exist (or whose they are).
        return (
            f"{start} it is not a file inside the app's allowed files. Add its folder to "
            "launch(allowed_paths=[...]), or return a file in the app's working directory or "
            "one this app wrote in the temp directory after it started."
        )

    # -- inputs
    def dereference(self, text: str) -> str:
        """A cache reference (``<token>/<name>``, what clients are given) as its real path.

        Anything else comes back unchanged; either way the gate still decides.
        """
        located = self.cache.locate(text)
        return text if located is None else str(located)

    def resolve_input(self, path: str) -> CacheEntry:
        """The entry for a FileData ``path`` a client sent; only names this app issued.

        ``path`` is normally a cache reference (``<token>/<name>``, as ``/upload`` answers);
        the entry's absolute path is accepted too. Static files are accepted as well, because
        ``adopt_output`` hands them out in place and a client may send an output back as an
        input; they are readable by anyone anyway.

        Changed in issue 10: cache references.
        """
        decision = self.check(self.dereference(path))
        if decision.allowed and decision.path is not None:
            if decision.reason is Reason.CACHE:
                entry = self.cache.lookup(decision.path)
                if entry is not None:
                    return entry
            elif decision.reason is Reason.STATIC:
                static = _in_place(decision.path)
                if static is not None:
                    return static
        reason = Reason.NOT_ISSUED if decision.allowed else decision.reason
        raise self._refuse(path, reason, f"File {path} was not uploaded to this app.")


_GRANTS = frozenset({Reason.CACHE, Reason.ALLOWED, Reason.STATIC, Reason.CWD, Reason.TEMPDIR,
                     Reason.BUNDLED})
_IMPLICIT = frozenset({Reason.CWD, Reason.TEMPDIR})
# ELOOP (Linux, macOS) / EMLINK (FreeBSD): the last component became a link; ENOTDIR: a
# directory on the way did.
_OPEN_ERRORS = {
    errno.ENOENT: Reason.MISSING,
    errno.ELOOP: Reason.CHANGED,
    errno.EMLINK: Reason.CHANGED,
    errno.ENOTDIR: Reason.CHANGED,
}


class _Refused(Exception):
    def __init__(self, reason: Reason) -> None:
        super().__init__(reason.value)
        self.reason = reason


def _pair(path: Path) -> tuple[Path, Path]:
    return path, Path(os.path.realpath(path))


def _in_place(path: Path) -> CacheEntry | None:
    """An entry for a static file served where it is (None if it vanished since the check)."""
    try:
        size = os.stat(path).st_size
    except OSError:
        return None
    return CacheEntry(path, path.name, size, guess_type(path.name))
