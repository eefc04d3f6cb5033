"""Pure, lexical path reasoning: what a requested spelling may be, and how names are cleaned.

Nothing here touches the file system. The policy resolves paths; this module decides which
spellings are refused before any resolution happens, so that string tricks (``..``, Windows
forms, look-alike characters, double-decoded escapes) never reach ``os`` at all.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from pathlib import PurePath

__all__ = [
    "display_name",
    "has_dot_component",
    "is_within",
    "lexical_refusal",
    "safe_join",
    "sanitize_filename",
    "within_casefold",
]

# Windows opens these devices whatever the directory or extension ("nul.txt" is NUL).
_DEVICES = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", "CLOCK$"}
    | {f"{kind}{n}" for kind in ("COM", "LPT") for n in "0123456789\u00b9\u00b2\u00b3"}
)
# Characters whose compatibility form is one of these would turn into path syntax for any
# later layer that applies NFKC (CVE class: fullwidth "．．／" normalised after the check).
_LOOKALIKE_TARGETS = frozenset("./\\:%;?#")
_DRIVE = re.compile(r"[A-Za-z]:")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
# Input arrives decoded once; an escape left in it means someone hoped for a second decode.
_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
_SAFE_PUNCT = frozenset("-_.()+,=@[]~ ")
_MAX_NAME_BYTES = 200
_MAX_DISPLAY_CHARS = 255
_FALLBACK_NAME = "file"


def lexical_refusal(untrusted: str, *, allow_parent: bool = False) -> str | None:
    """Why the spelling ``untrusted`` must be refused outright, or None if it may be resolved.

    Refused, on every OS: empty strings; NUL, control characters and surrogates (undecodable
    bytes); backslashes (UNC ``\\\\host``, ``..\\``); a leading ``//``; drives (``C:``), URL
    schemes (``file://``) and any ``:`` (NTFS streams, ``x::$DATA``); ``;`` path parameters;
    ``%xx`` escapes; characters that NFKC-normalise to path syntax (fullwidth ``．``, ``／``);
    ``..`` and other all-dot segments; segments ending in a dot or space (Windows drops them);
    Windows device names (``CON``, ``nul.txt``). ``.`` segments and inner ``//`` are harmless:
    they are removed by normalisation, which cannot change the meaning of a path without ``..``.

    ``allow_parent=True`` lets ``..`` segments through, for paths written by app code that the
    caller resolves the way the OS does (never for paths a client sent).
    """
    s = untrusted
    if not s:
        return "empty path"
    for ch in s:
        category = unicodedata.category(ch)
        if category == "Cs":
            return "undecodable bytes"
        if category == "Cc":
            return "control character"
        if ch == "\\":
            return "backslash"
        if ord(ch) > 127 and not _LOOKALIKE_TARGETS.isdisjoint(unicodedata.normalize("NFKC", ch)):
            return "look-alike of a path character"
    if s.startswith("//"):
        return "leading double slash"
    if _DRIVE.match(s):
        return "windows drive"
    if _SCHEME.match(s):
        return "url scheme"
    if ":" in s:
        return "colon"
    if ";" in s:
        return "path parameters"
    if _ESCAPE.search(s):
        return "percent escape"
    for segment in s.split("/"):
        if segment in ("", "."):
            continue
        if segment == "..":
            if allow_parent:
                continue
            return "parent segment"
        if not segment.rstrip(". "):
            return "dot segment"
        if segment[-1] in ". ":
            return "trailing dot or space"
        if segment.split(".", 1)[0].rstrip(" ").upper() in _DEVICES:
            return "windows device name"
    return None


def safe_join(root: str, *untrusted: str) -> str | None:
    """Join URL-style parts under the trusted ``root``, or None if any part tries to leave it.

    Each part must pass ``lexical_refusal`` and be relative; ``.`` and empty segments inside a
    part are normalised away. The result is lexical: resolve it before trusting containment.
    """
    parts: list[str] = []
    for part in untrusted:
        if lexical_refusal(part) is not None or part.startswith("/"):
            return None
        normal = posixpath.normpath(part)
        if normal != ".":
            parts.append(normal)
    return posixpath.join(root, *parts)


def is_within(path: PurePath, root: PurePath) -> bool:
    """True if ``path`` is ``root`` or below it, compared component-wise.

    ``/a/bc`` is not within ``/a/b``. Both paths must already be resolved (or at least free of
    ``..``): this is a comparison of names, not of files.
    """
    return path.is_relative_to(root)


def within_casefold(path: PurePath, root: PurePath) -> bool:
    """``is_within`` ignoring case and Unicode normalisation (``é`` as one code point or as
    ``e`` + accent): the extra guard for blocked paths on disks that fold either (macOS,
    Windows, case-insensitive ext4)."""
    parts = [_caseless(p) for p in path.parts]
    root_parts = [_caseless(p) for p in root.parts]
    return parts[: len(root_parts)] == root_parts


def _caseless(name: str) -> str:
    # Canonical caseless matching (Unicode 3.13): casefolding can undo a normal form, hence
    # the second normalisation.
    return unicodedata.normalize("NFD", unicodedata.normalize("NFD", name).casefold())


def has_dot_component(path: PurePath, below: PurePath) -> bool:
    """True if a component of ``path`` below ``below`` starts with a dot.

    A path that is not below ``below`` at all counts as dotted: the caller asked about a
    relation that does not hold, and the safe answer is the refusing one.
    """
    try:
        relative = path.relative_to(below)
    except ValueError:
        return True
    return any(part.startswith(".") for part in relative.parts)


def sanitize_filename(name: str) -> str:
    """A safe file name for storing ``name``: one component, never hidden, never empty.

    Compatibility forms are folded first (so ``．．／x`` cannot hide a separator), everything
    up to the last ``/`` or ``\\`` is dropped, control/format characters are removed, other
    unusual characters become ``_``; leading dots and spaces go (``.env`` is stored as ``env``,
    never as a dot-file), as do trailing ones (Windows drops them); device names get a ``_``
    prefix; the result is capped at 200 UTF-8 bytes, keeping a short extension.
    """
    base = re.split(r"[/\\]", unicodedata.normalize("NFKC", name))[-1]
    kept: list[str] = []
    for ch in base:
        category = unicodedata.category(ch)
        if category[0] == "C":
            # Controls, bidi overrides (the "evil\u202egpj.exe" trick), surrogates, unassigned.
            continue
        kept.append(ch if category[0] in "LNM" or ch in _SAFE_PUNCT else "_")
    cleaned = "".join(kept).lstrip(". ").rstrip(". ")
    if cleaned.split(".", 1)[0].rstrip(" ").upper() in _DEVICES:
        cleaned = "_" + cleaned
    return _truncate(cleaned, _MAX_NAME_BYTES) or _FALLBACK_NAME


def display_name(name: str) -> str:
    """The name to show for an upload (FileData ``orig_name``): last component, printable.

    Unlike ``sanitize_filename`` this keeps leading dots and punctuation, since it is only
    ever shown, never used as a path.
    """
    base = re.split(r"[/\\]", name)[-1]
    shown = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")[:_MAX_DISPLAY_CHARS]
    return shown if shown.strip(". ") else sanitize_filename(name)


def _truncate(name: str, limit: int) -> str:
    if len(name.encode()) <= limit:
        return name
    stem, dot, ext = name.rpartition(".")
    if dot and stem and len(ext.encode()) <= 16:
        return _cut(stem, limit - len(ext.encode()) - 1).rstrip(". ") + "." + ext
    return _cut(name, limit).rstrip(". ")


def _cut(text: str, limit: int) -> str:
    return text.encode()[:limit].decode(errors="ignore")
