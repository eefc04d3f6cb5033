"""A sandbox like the attack corpus builds: granted roots, secrets everywhere else, links out."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from porch.files.cache import FileCache
from porch.files.policy import FilePolicy, FileRules

SECRET = "SECRET-"
PUBLIC = "PUBLIC-"


@dataclass
class Sandbox:
    root: Path
    app: Path
    allowed: Path
    outside: Path
    static: Path
    tmp: Path
    cache_base: Path
    caches: list[FileCache] = field(default_factory=list)

    def policy(self, **overrides: Any) -> FilePolicy:
        """A policy over this sandbox; keyword arguments override ``FileRules.build``'s."""
        kwargs: dict[str, Any] = {
            "allowed": [self.allowed],
            "blocked": [self.allowed / "blocked", self.allowed / "blocked_file.txt"],
            "static": [self.static],
            "cwd": self.app,
            "tempdir": self.tmp,
        }
        kwargs.update(overrides)
        cache = FileCache(self.cache_base)
        self.caches.append(cache)
        # The app's "launch" is now: files the sandbox planted before it are someone else's.
        return FilePolicy(FileRules.build(**kwargs), cache, written_since_ns=time.time_ns())


def build_sandbox(root: Path) -> Sandbox:
    sb = Sandbox(
        root=root,
        app=root / "app",
        allowed=root / "allowed",
        outside=root / "outside",
        static=root / "static",
        tmp=root / "tmp",
        cache_base=root / "tmp" / "gradio",
    )
    files = {
        "outside/secret.txt": "SECRET-OUTSIDE",
        "outside/public.txt": "SECRET-OUTSIDE-SAMENAME",
        "outside/sub/public2.txt": "SECRET-OUTSIDE-SUB",
        "allowed/public.txt": "PUBLIC-ALLOWED",
        "allowed/sub/public2.txt": "PUBLIC-SUB",
        "allowed/page.html": "<script>alert(1)</script>PUBLIC-PAGE",
        "allowed/.dot_secret": "SECRET-ALLOWED-DOTFILE",
        "allowed/.hidden/inner.txt": "SECRET-ALLOWED-DOTDIR",
        "allowed/blocked/secret.txt": "SECRET-BLOCKED",
        "allowed/blocked_file.txt": "SECRET-BLOCKEDFILE",
        "static/static_public.txt": "PUBLIC-STATIC",
        "app/.env": "SECRET-DOTENV",
        "app/.git/config": "SECRET-DOTGIT",
        "app/app_secret.txt": "SECRET-CWDFILE",
        "app/cwd_public.txt": "PUBLIC-CWD",
        "app/data/.cache/x.txt": "SECRET-CWD-DOTDIR",
        "tmp/tmp_secret.txt": "SECRET-TMPDIR",
        "tmp/public_tmp.txt": "PUBLIC-TMP",
        "tmp/gradio/planted/foreign_secret.txt": "SECRET-FOREIGNCACHE",
    }
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    links = {
        "allowed/link_blocked": "blocked",
        "allowed/UpperLink": "blocked",
        "allowed/link_blocked_file.txt": "blocked_file.txt",
        "allowed/link_out.txt": "../outside/secret.txt",
        "allowed/dirlink_out": "../outside",
        "allowed/UpperOut.txt": "../outside/secret.txt",
        "allowed/chain1.txt": "chain2.txt",
        "allowed/chain2.txt": "../outside/secret.txt",
        "allowed/link_public.txt": "public.txt",
        "allowed/loop_a": "loop_b",
        "allowed/loop_b": "loop_a",
        "static/link_out.txt": "../outside/secret.txt",
        "tmp/gradio/planted_link.txt": "../../outside/secret.txt",
    }
    for rel, target in links.items():
        os.symlink(target, root / rel)
    return sb


def read_served(policy: FilePolicy, candidate: str) -> str:
    with policy.open_for_serving(candidate) as served:
        return served.file.read().decode()


def write_after_launch(policy: FilePolicy, path: Path, text: str) -> None:
    """Write ``path`` so that its inode change time is past ``policy``'s launch instant.

    File times come from the kernel's coarse clock, which can lag ``time.time_ns()`` by a
    tick: rewrite until the file's ctime has moved past it (a bounded poll, not a sleep).
    """
    for _ in range(100_000):
        path.write_text(text)
        if os.stat(path).st_ctime_ns > policy.launched_ns:
            return
    raise AssertionError("the file clock never passed the launch instant")
