"""Returned paths (``check_output`` / ``adopt_output``) and client inputs (``resolve_input``)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from porch.errors import FileNotAllowed
from porch.files import policy as policy_module
from porch.files.cache import CacheEntry
from porch.files.policy import Decision, FilePolicy, FileRules, Reason
from tests.files.files_sandbox import Sandbox, read_served, write_after_launch


def spell(sb: Sandbox, template: str) -> str:
    return template.format(
        A=sb.allowed, S=sb.static, O=sb.outside, APP=sb.app, T=sb.tmp, C=sb.cache_base
    )


OUTPUT_GRANTED = [
    ("{APP}/cwd_public.txt", Reason.CWD, "PUBLIC-CWD"),
    ("cwd_public.txt", Reason.CWD, "PUBLIC-CWD"),
    ("{APP}/../app/cwd_public.txt", Reason.CWD, "PUBLIC-CWD"),
    ("{T}/public_tmp.txt", Reason.TEMPDIR, "PUBLIC-TMP"),
    ("{A}/../tmp/public_tmp.txt", Reason.TEMPDIR, "PUBLIC-TMP"),
    ("{A}/sub/public2.txt", Reason.ALLOWED, "PUBLIC-SUB"),
    ("{A}/public.txt", Reason.ALLOWED, "PUBLIC-ALLOWED"),
]


@pytest.mark.parametrize(("template", "reason", "marker"), OUTPUT_GRANTED)
def test_output_granted_and_copied(
    sandbox: Sandbox, policy: FilePolicy, template: str, reason: Reason, marker: str
) -> None:
    path = spell(sandbox, template)
    if reason is Reason.TEMPDIR:
        # Only files written after launch count in the temp dir (test_files_grants.py).
        write_after_launch(policy, sandbox.tmp / "public_tmp.txt", marker)
    assert policy.check_output(path) == Decision(
        True, reason, Path(os.path.realpath(os.path.join(sandbox.app, path)))
    )
    entry = policy.adopt_output(path)
    assert entry.path.parent.parent == policy.cache.root
    assert entry.path.read_text() == marker
    assert policy.cache.lookup(entry.path) == entry
    assert read_served(policy, str(entry.path)) == marker


OUTPUT_REFUSED = [
    ("{O}/secret.txt", Reason.OUTSIDE, "not a file inside the app's allowed files"),
    ("{A}/../outside/secret.txt", Reason.OUTSIDE, "not a file inside the app's allowed files"),
    ("../outside/secret.txt", Reason.OUTSIDE, "not a file inside the app's allowed files"),
    ("/etc/passwd", Reason.OUTSIDE, "not a file inside the app's allowed files"),
    ("{APP}/nope.txt", Reason.MISSING, "not a file inside the app's allowed files"),
    ("{APP}", Reason.NOT_A_FILE, "not a file inside the app's allowed files"),
    ("{A}/blocked/secret.txt", Reason.BLOCKED, "blocked paths"),
    ("{A}/sub/../blocked/secret.txt", Reason.BLOCKED, "blocked paths"),
    ("{A}/BLOCKED/secret.txt", Reason.BLOCKED, "blocked paths"),
    ("{A}/UpperLink/secret.txt", Reason.BLOCKED, "blocked paths"),
    ("{A}/link_out.txt", Reason.OUTSIDE, "not a file inside the app's allowed files"),
    ("{A}/.dot_secret", Reason.DOTFILE, "starts with '.'"),
    ("{APP}/.env", Reason.DOTFILE, "starts with '.'"),
    (".env", Reason.DOTFILE, "starts with '.'"),
    ("{APP}/.git/config", Reason.DOTFILE, "starts with '.'"),
    ("{APP}/data/.cache/x.txt", Reason.DOTFILE, "starts with '.'"),
    ("{C}/planted/foreign_secret.txt", Reason.NOT_ISSUED, "was not created by this app"),
    ("{C}/planted_link.txt", Reason.NOT_ISSUED, "was not created by this app"),
    ("{APP}/x\x00.txt", Reason.BAD_SPELLING, "characters porch refuses"),
    ("{APP}/x.txt::$DATA", Reason.BAD_SPELLING, "characters porch refuses"),
]


@pytest.mark.parametrize(("template", "reason", "fix"), OUTPUT_REFUSED)
def test_output_refused_with_the_fix(
    sandbox: Sandbox,
    policy: FilePolicy,
    caplog: pytest.LogCaptureFixture,
    template: str,
    reason: Reason,
    fix: str,
) -> None:
    path = spell(sandbox, template)
    assert policy.check_output(path).reason is reason
    with caplog.at_level(logging.INFO, logger="porch.files"), pytest.raises(FileNotAllowed) as info:
        policy.adopt_output(path)
    message = str(info.value)
    assert message.startswith(f"Cannot return {path}:")
    assert fix in message
    assert "SECRET" not in message.replace(path, "")
    assert reason.value in caplog.text
    assert [p for p in policy.cache.root.rglob("*")] == []


def test_outside_message_names_allowed_paths(sandbox: Sandbox, policy: FilePolicy) -> None:
    with pytest.raises(FileNotAllowed, match=r"launch\(allowed_paths=\[\.\.\.\]\)"):
        policy.adopt_output(f"{sandbox.outside}/secret.txt")


def test_missing_and_outside_read_the_same(sandbox: Sandbox, policy: FilePolicy) -> None:
    def message(path: str) -> str:
        with pytest.raises(FileNotAllowed) as info:
            policy.adopt_output(path)
        return str(info.value).replace(path, "<p>")

    assert message(f"{sandbox.app}/nope.txt") == message(f"{sandbox.outside}/secret.txt")


@pytest.mark.parametrize(
    "template", ["{APP}/cwd_public.txt", "{T}/public_tmp.txt", "{T}/tmp_secret.txt"]
)
def test_strict_mode_drops_cwd_and_tempdir(sandbox: Sandbox, template: str) -> None:
    policy = sandbox.policy(strict=True)
    path = spell(sandbox, template)
    assert policy.check_output(path).reason is Reason.OUTSIDE
    with pytest.raises(FileNotAllowed, match="strict file rules are on"):
        policy.adopt_output(path)


def test_strict_mode_keeps_cache_allowed_static(sandbox: Sandbox) -> None:
    policy = sandbox.policy(strict=True)
    uploaded = policy.cache.store_bytes(b"PUBLIC-UPLOAD", "u.txt")
    assert policy.adopt_output(str(uploaded.path)) == uploaded
    assert policy.adopt_output(f"{sandbox.allowed}/public.txt").path.read_text() == "PUBLIC-ALLOWED"
    static = policy.adopt_output(f"{sandbox.static}/static_public.txt")
    assert static.path == sandbox.static / "static_public.txt"


def test_cache_entry_returns_itself(policy: FilePolicy) -> None:
    entry = policy.cache.store_bytes(b"x", "a.txt")
    assert policy.adopt_output(entry.path) is entry
    assert policy.check_output(entry.path).reason is Reason.CACHE


def test_cache_entry_discarded_between_check_and_adopt(
    policy: FilePolicy, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = policy.cache.store_bytes(b"x", "a.txt")
    real = policy.check_output

    def check_then_discard(path: str | Path) -> Decision:
        decision = real(path)
        policy.cache.discard(entry)
        return decision

    monkeypatch.setattr(policy, "check_output", check_then_discard)
    with pytest.raises(FileNotAllowed, match="changed or could not be read"):
        policy.adopt_output(entry.path)


def test_static_output_is_served_in_place(sandbox: Sandbox, policy: FilePolicy) -> None:
    entry = policy.adopt_output(f"{sandbox.static}/static_public.txt")
    assert entry == CacheEntry(
        sandbox.static / "static_public.txt", "static_public.txt", 13, "text/plain"
    )
    assert list(policy.cache.root.iterdir()) == []
    assert read_served(policy, str(entry.path)) == "PUBLIC-STATIC"


def test_copy_is_made_from_the_checked_descriptor(
    sandbox: Sandbox, policy: FilePolicy, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = sandbox.app / "cwd_public.txt"
    real = policy.check_output

    def check_then_swap(path: str | Path) -> Decision:
        decision = real(path)
        os.unlink(target)
        os.symlink(sandbox.app / ".env", target)
        return decision

    monkeypatch.setattr(policy, "check_output", check_then_swap)
    with pytest.raises(FileNotAllowed, match="changed or could not be read"):
        policy.adopt_output(str(target))
    assert list(policy.cache.root.iterdir()) == []


def test_copy_refuses_an_unverifiable_descriptor(
    sandbox: Sandbox, policy: FilePolicy, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = sandbox.app / "app_secret.txt"
    monkeypatch.setattr(policy_module, "_open_nofollow", lambda path: os.open(secret, os.O_RDONLY))
    with pytest.raises(FileNotAllowed):
        policy.adopt_output(f"{sandbox.app}/cwd_public.txt")
    assert list(policy.cache.root.iterdir()) == []


def test_cwd_granted_as_allowed_still_refuses_dotfiles(sandbox: Sandbox) -> None:
    policy = sandbox.policy(allowed=["."])
    assert policy.check_output(".env").reason is Reason.DOTFILE
    assert policy.check_output("cwd_public.txt").reason is Reason.ALLOWED


# -- inputs


def test_input_must_be_issued(sandbox: Sandbox, policy: FilePolicy) -> None:
    entry = policy.cache.store_bytes(b"PUBLIC-UPLOAD", "up.txt")
    assert policy.resolve_input(str(entry.path)) == entry
    assert policy.resolve_input(f"{entry.path.parent}/./{entry.path.name}") == entry


INPUT_REFUSED = [
    "{O}/secret.txt",
    "{C}/../../outside/secret.txt",
    "{C}/planted/foreign_secret.txt",
    "{C}/planted_link.txt",
    "{APP}/.env",
    "{APP}/cwd_public.txt",
    "{A}/public.txt",
    "{A}/link_out.txt",
    "{T}/public_tmp.txt",
    "cwd_public.txt",
    "http://127.0.0.1:7889/secret",
    "",
]


@pytest.mark.parametrize("template", INPUT_REFUSED)
def test_input_refused(sandbox: Sandbox, policy: FilePolicy, template: str) -> None:
    path = spell(sandbox, template)
    with pytest.raises(FileNotAllowed) as info:
        policy.resolve_input(path)
    assert str(info.value) == f"File {path} was not uploaded to this app."


def test_input_symlink_in_cache_refused(sandbox: Sandbox, policy: FilePolicy) -> None:
    entry = policy.cache.store_bytes(b"x", "a.txt")
    os.unlink(entry.path)
    os.symlink(sandbox.outside / "secret.txt", entry.path)
    with pytest.raises(FileNotAllowed):
        policy.resolve_input(str(entry.path))


def test_input_blocked_wins_over_the_cache(sandbox: Sandbox) -> None:
    policy = sandbox.policy(blocked=[sandbox.cache_base])
    entry = policy.cache.store_bytes(b"x", "a.txt")
    with pytest.raises(FileNotAllowed):
        policy.resolve_input(str(entry.path))


def test_input_entry_discarded_between_check_and_lookup(
    policy: FilePolicy, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = policy.cache.store_bytes(b"x", "a.txt")
    real = policy.check

    def check_then_discard(path: str | Path) -> Decision:
        decision = real(path)
        policy.cache.discard(entry)
        return decision

    monkeypatch.setattr(policy, "check", check_then_discard)
    with pytest.raises(FileNotAllowed):
        policy.resolve_input(str(entry.path))


def test_static_output_round_trips_as_input(sandbox: Sandbox, policy: FilePolicy) -> None:
    entry = policy.adopt_output(f"{sandbox.static}/static_public.txt")
    assert policy.resolve_input(str(entry.path)) == entry
    with pytest.raises(FileNotAllowed):
        policy.resolve_input(f"{sandbox.static}/link_out.txt")


def test_rules_build_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    rules = FileRules.build(allowed=[".", "data/../x"], blocked=["secret"], static=[tmp_path])
    assert rules.cwd == tmp_path
    assert rules.allowed_paths == (tmp_path, tmp_path / "x")
    assert rules.blocked_paths == (tmp_path / "secret",)
    assert rules.static_paths == (tmp_path,)
    assert rules.tempdir.is_absolute() and not rules.strict


def test_static_file_vanishing_after_check(
    sandbox: Sandbox, policy: FilePolicy, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = sandbox.static / "static_public.txt"
    real_output, real_check = policy.check_output, policy.check

    def output_then_remove(path: str | Path) -> Decision:
        decision = real_output(path)
        os.unlink(target)
        return decision

    def check_then_remove(path: str | Path) -> Decision:
        decision = real_check(path)
        target.unlink(missing_ok=True)
        return decision

    monkeypatch.setattr(policy, "check_output", output_then_remove)
    with pytest.raises(FileNotAllowed, match="changed or could not be read"):
        policy.adopt_output(str(target))
    target.write_text("PUBLIC-STATIC")
    monkeypatch.setattr(policy, "check", check_then_remove)
    with pytest.raises(FileNotAllowed, match="was not uploaded"):
        policy.resolve_input(str(target))
