"""What an app exposes: the report `launch()` prints and `porch audit app.py` shows.

Sharing an app puts files within reach of strangers, so the author should see, before
anyone else does, exactly which folders are reachable and which setups are risky.
"""

from __future__ import annotations

import itertools
import os
import tempfile
from pathlib import Path

from porch.blocks.blocks import Blocks
from porch.components.base import Component
from porch.components.login_button import LoginButton
from porch.components.text import Textbox
from porch.files.grants import cwd_refusal
from porch.server.settings import Settings

_SCAN_LIMIT = 5000  # entries looked at per allowed folder when searching for dot-files


def _dotfiles(folder: Path) -> list[str]:
    found = []
    try:
        walker = os.walk(folder)
        for root, dirs, files in itertools.islice(walker, _SCAN_LIMIT):
            for name in (*dirs, *files):
                if name.startswith("."):
                    found.append(os.path.relpath(os.path.join(root, name), folder))
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            if len(found) >= 3:
                break
    except OSError:
        return []
    return found


def _is_file_like(component: Component) -> bool:
    return component.does_io


def warnings_for(blocks: Blocks, settings: Settings, cwd: Path | None = None) -> list[str]:
    cwd = (cwd or Path.cwd()).resolve()
    found = []
    if not settings.bound_to_loopback and (settings.auth is None or settings.auth.optional):
        found.append(f"the app listens on {settings.server_name} without a login: anyone who "
                     "can reach this machine can use it and the files above. Consider "
                     "launch(auth=(user, password)) (see docs/sharing.md).")
    if not settings.strict_files:
        if cwd == Path("/"):
            found.append("the working directory is /: porch does not grant it, so functions "
                         "cannot return files by paths relative to it. Run from the app's "
                         "folder.")
        elif cwd == Path.home().resolve():
            found.append(f"the working directory is your home folder ({cwd}): porch does not "
                         "grant it. Run from the app's folder.")
    for allowed in settings.allowed_paths:
        path = Path(allowed)
        if path.is_dir():
            dots = _dotfiles(path)
            if dots:
                found.append(f"allowed path {allowed} holds dot-files ({', '.join(dots)}); "
                             "porch refuses them unless listed exactly, but consider moving them.")
    for dep in blocks.dependencies:
        if dep.fn is None:
            continue
        if any(isinstance(c, Textbox) for c in dep.inputs) and any(
                isinstance(c, Component) and _is_file_like(c) for c in dep.outputs):
            found.append(f"endpoint /{dep.api_name} turns a text input into a file output: "
                         "a caller chooses which file it returns, within the grants above.")
    if settings.oidc is None and any(isinstance(b, LoginButton) for b in blocks.blocks.values()):
        found.append("the app has a LoginButton but no OpenID Connect issuer: the button is "
                     "disabled. Name one with porch.oidc.configure(...) or PORCH_OIDC_ISSUER "
                     "(see docs/login-oidc.md).")
    return found


def working_directory_grant(cwd: Path) -> str:
    """Which working-directory grant is in force for outputs, and why, in one phrase."""
    why = cwd_refusal(cwd.resolve(), Path.home().resolve(), Path(tempfile.gettempdir()).resolve())
    if why is None:
        return f"{cwd}  (returned paths only: granted as the app's folder)"
    return f"{cwd}  (not granted: {why})"


def _size(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    raise AssertionError("unreachable")


def cleanup_rule(settings: Settings) -> str:
    """How the cache cleans itself, in one phrase (porch/files/retention.py)."""
    if settings.cache_max_size == "auto":
        cap = "at most 5 GiB or a quarter of the free disk"
    elif settings.cache_max_size is None:
        cap = "no size cap"
    else:
        cap = f"at most {_size(int(settings.cache_max_size))}"
    idle = ("unused files kept forever" if settings.cache_max_idle is None
            else f"files unused for {settings.cache_max_idle:g} s removed")
    return f"{cap}, {idle}, least recently used first; never a file a live session holds"


def disk_use(base: Path) -> str:
    """What every porch instance's cache under `base` holds on disk now."""
    files = size = 0
    for root, _, names in os.walk(base):
        for name in names:
            try:
                size += os.lstat(os.path.join(root, name)).st_size
                files += 1
            except OSError:
                continue  # removed while we looked
    return f"{files} file(s), {_size(size)} under {base} (all porch apps using it)"


def _login_line(settings: Settings) -> str:
    if settings.auth is None:
        return "none"
    if settings.auth.optional:
        return ("optional (login_optional=True): the app and its files are public; only "
                "events with requires_login=True need a login")
    return "required for every route but the login page (auth=)"


def report(blocks: Blocks, settings: Settings, cache_dir: Path | str) -> str:
    """The exposure report, as printed."""

    def listing(paths: tuple[str, ...]) -> str:
        return ", ".join(paths) if paths else "(none)"

    lines = [
        "Files this app exposes:",
        f"  cache    {cache_dir}  (uploads and returned files, by unguessable name)",
        f"  allowed  {listing(settings.allowed_paths)}",
        f"  static   {listing(settings.static_paths)}",
        f"  blocked  {listing(settings.blocked_paths)}  (wins over everything)",
        f"  cleanup  {cleanup_rule(settings)}",
        f"  on disk  {disk_use(settings.cache_base)}",
        "  login    " + _login_line(settings),
    ]
    if settings.oidc is not None:
        lines.append(f"  sign-in  with {settings.oidc.issuer} (LoginButton; functions that ask "
                     "get the signed-in user's profile and access token)")
    if settings.strict_files:
        lines.append("  returned paths: strict mode, only the cache, allowed and static paths")
    else:
        lines.append(f"  cwd      {working_directory_grant(Path.cwd())}")
        lines.append(f"  temp     {tempfile.gettempdir()}  (returned paths only: files this app "
                     "writes there after it started, outside porch's and Gradio's caches)")
        lines.append("  returned paths: never dot-files, hard-linked files, /proc, /sys or /dev")
    for warning in warnings_for(blocks, settings):
        lines.append(f"  warning: {warning}")
    return "\n".join(lines)
