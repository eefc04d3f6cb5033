"""``FilePolicy.check`` / ``open_for_serving``: one case per escape route, then the races."""

from __future__ import annotations

import errno
import logging
import os
import threading
from pathlib import Path

import pytest

from porch.errors import FileNotAllowed
from porch.files import policy as policy_module
from porch.files.policy import Decision, FilePolicy, FileRules, Reason
from tests.files.files_sandbox import Sandbox, read_served


def spell(sb: Sandbox, template: str) -> str:
    return template.format(
        A=sb.allowed, S=sb.static, O=sb.outside, APP=sb.app, T=sb.tmp, C=sb.cache_base
    )


GRANTED = [
    ("{A}/public.txt", Reason.ALLOWED, "PUBLIC-ALLOWED"),
    ("{A}/sub/public2.txt", Reason.ALLOWED, "PUBLIC-SUB"),
    ("{A}/./public.txt", Reason.ALLOWED, "PUBLIC-ALLOWED"),
    ("{A}//sub//public2.txt", Reason.ALLOWED, "PUBLIC-SUB"),
    ("{A}/link_public.txt", Reason.ALLOWED, "PUBLIC-ALLOWED"),
    ("{S}/static_public.txt", Reason.STATIC, "PUBLIC-STATIC"),
]


@pytest.mark.parametrize(("template", "reason", "marker"), GRANTED)
def test_granted(
    sandbox: Sandbox, policy: FilePolicy, template: str, reason: Reason, marker: str
) -> None:
    decision = policy.check(spell(sandbox, template))
    assert decision.allowed and decision.reason is reason
    assert read_served(policy, spell(sandbox, template)) == marker


REFUSED = [
    # lexical traversal and encodings (as they arrive after one decode)
    ("{C}/../../outside/secret.txt", Reason.BAD_SPELLING),
    ("{A}/../outside/secret.txt", Reason.BAD_SPELLING),
    ("../outside/secret.txt", Reason.BAD_SPELLING),
    ("{A}/%2e%2e/outside/secret.txt", Reason.BAD_SPELLING),
    ("{A}/\uff0e\uff0e\uff0foutside\uff0fsecret.txt", Reason.BAD_SPELLING),
    ("{A}/public.txt\x00/../../outside/secret.txt", Reason.BAD_SPELLING),
    ("{A}\\..\\outside\\secret.txt", Reason.BAD_SPELLING),
    ("\\\\127.0.0.1\\share\\secret.txt", Reason.BAD_SPELLING),
    ("C:\\windows\\win.ini", Reason.BAD_SPELLING),
    ("file://{O}/secret.txt", Reason.BAD_SPELLING),
    ("{O}/secret.txt;.png", Reason.BAD_SPELLING),
    ("{A}/blocked_file.txt::$DATA", Reason.BAD_SPELLING),
    ("{A}/CON", Reason.BAD_SPELLING),
    ("{A}/nul.txt", Reason.BAD_SPELLING),
    ("//{O}/secret.txt", Reason.BAD_SPELLING),
    ("", Reason.BAD_SPELLING),
    # outside every grant
    ("{O}/secret.txt", Reason.OUTSIDE),
    ("/windows/win.ini", Reason.OUTSIDE),
    ("/etc/passwd", Reason.OUTSIDE),
    ("{A}x/public.txt", Reason.OUTSIDE),
    ("app_secret.txt", Reason.OUTSIDE),
    ("{APP}/app_secret.txt", Reason.OUTSIDE),
    ("{APP}/cwd_public.txt", Reason.OUTSIDE),
    ("{T}/tmp_secret.txt", Reason.OUTSIDE),
    # blocked wins, in every spelling
    ("{A}/blocked/secret.txt", Reason.BLOCKED),
    ("{A}/./blocked/secret.txt", Reason.BLOCKED),
    ("{A}//blocked//secret.txt", Reason.BLOCKED),
    ("{A}/BLOCKED/secret.txt", Reason.BLOCKED),
    ("{A}/Blocked_File.txt", Reason.BLOCKED),
    ("{A}/blocked", Reason.BLOCKED),
    # symlinks
    ("{A}/UpperLink/secret.txt", Reason.BLOCKED),
    ("{A}/link_blocked/secret.txt", Reason.BLOCKED),
    ("{A}/link_blocked_file.txt", Reason.BLOCKED),
    ("{A}/link_out.txt", Reason.OUTSIDE),
    ("{A}/UpperOut.txt", Reason.OUTSIDE),
    ("{A}/dirlink_out/secret.txt", Reason.OUTSIDE),
    ("{A}/chain1.txt", Reason.OUTSIDE),
    ("{S}/link_out.txt", Reason.OUTSIDE),
    ("{A}/loop_a", Reason.MISSING),
    # dot-files under a granted dir
    ("{A}/.dot_secret", Reason.DOTFILE),
    ("{A}/.hidden/inner.txt", Reason.DOTFILE),
    # the cache: only issued entries
    ("{C}/planted/foreign_secret.txt", Reason.NOT_ISSUED),
    ("{C}/planted_link.txt", Reason.NOT_ISSUED),
    # no listings, no missing files
    ("{A}", Reason.NOT_A_FILE),
    ("{A}/", Reason.NOT_A_FILE),
    ("{A}/sub", Reason.NOT_A_FILE),
    ("{A}/missing.txt", Reason.MISSING),
]


@pytest.mark.parametrize(("template", "reason"), REFUSED)
def test_refused(
    sandbox: Sandbox,
    policy: FilePolicy,
    template: str,
    reason: Reason,
    caplog: pytest.LogCaptureFixture,
) -> None:
    candidate = spell(sandbox, template)
    decision = policy.check(candidate)
    assert not decision.allowed
    assert decision.reason is reason
    with caplog.at_level(logging.INFO, logger="porch.files"), pytest.raises(FileNotAllowed) as info:
        policy.open_for_serving(candidate)
    # The client learns nothing but its own request back, whatever the reason.
    assert str(info.value) == candidate
    assert reason.value in caplog.text


def test_refusals_look_the_same(sandbox: Sandbox, policy: FilePolicy) -> None:
    for name in ("blocked/secret.txt", "missing.txt", "link_out.txt"):
        with pytest.raises(FileNotAllowed) as info:
            policy.open_for_serving(f"{sandbox.allowed}/{name}")
        assert str(info.value) == f"{sandbox.allowed}/{name}"


def test_relative_candidates_are_taken_from_the_cwd(sandbox: Sandbox) -> None:
    policy = sandbox.policy(allowed=["."])
    assert read_served(policy, "cwd_public.txt") == "PUBLIC-CWD"
    assert read_served(policy, "./cwd_public.txt") == "PUBLIC-CWD"
    for dotted in (".env", ".git/config", "data/.cache/x.txt", ".gradio/flagged/x.csv"):
        assert policy.check(dotted).reason in (Reason.DOTFILE, Reason.MISSING)
        assert not policy.check(f"{sandbox.app}/{dotted}").allowed
    assert policy.check(".env").reason is Reason.DOTFILE
    assert policy.check("../outside/secret.txt").reason is Reason.BAD_SPELLING


def test_exactly_listed_dotfile_is_served(sandbox: Sandbox) -> None:
    policy = sandbox.policy(allowed=[sandbox.allowed, sandbox.allowed / ".dot_secret"])
    assert read_served(policy, f"{sandbox.allowed}/.dot_secret") == "SECRET-ALLOWED-DOTFILE"
    assert not policy.check(f"{sandbox.allowed}/.hidden/inner.txt").allowed


def test_listed_file_grants_only_itself(sandbox: Sandbox) -> None:
    policy = sandbox.policy(allowed=[sandbox.allowed / "public.txt"], static=[])
    assert policy.check(f"{sandbox.allowed}/public.txt").allowed
    assert policy.check(f"{sandbox.allowed}/sub/public2.txt").reason is Reason.OUTSIDE


def test_granted_dir_may_live_below_a_dot_dir(sandbox: Sandbox) -> None:
    root = sandbox.root / ".local" / "share"
    root.mkdir(parents=True)
    (root / "x.txt").write_text("PUBLIC-DOTPARENT")
    policy = sandbox.policy(allowed=[root])
    assert read_served(policy, f"{root}/x.txt") == "PUBLIC-DOTPARENT"


def test_dot_named_link_to_a_public_file_is_refused(sandbox: Sandbox) -> None:
    os.symlink("public.txt", sandbox.allowed / ".alias")
    policy = sandbox.policy()
    assert policy.check(f"{sandbox.allowed}/.alias").reason is Reason.DOTFILE


def test_symlinked_allowed_root_is_resolved(sandbox: Sandbox) -> None:
    os.symlink(sandbox.allowed, sandbox.root / "allowed_alias")
    alias = sandbox.root / "allowed_alias"
    policy = sandbox.policy(allowed=[alias], blocked=[alias / "blocked"])
    assert read_served(policy, f"{alias}/public.txt") == "PUBLIC-ALLOWED"
    assert read_served(policy, f"{sandbox.allowed}/public.txt") == "PUBLIC-ALLOWED"
    assert policy.check(f"{sandbox.allowed}/blocked/secret.txt").reason is Reason.BLOCKED


def test_mixed_case_symlink_into_blocked_dir(sandbox: Sandbox) -> None:
    # CVE-2025-23042's fix lower-cased before resolving: "upperlink" does not exist on a
    # case-sensitive disk, so nothing was resolved, while the OS followed "UpperLink".
    policy = sandbox.policy()
    assert policy.check(f"{sandbox.allowed}/UpperLink/secret.txt").reason is Reason.BLOCKED
    assert policy.check(f"{sandbox.allowed}/upperlink/secret.txt").reason is Reason.MISSING


def test_blocked_dir_given_through_a_link_blocks_its_target(sandbox: Sandbox) -> None:
    policy = sandbox.policy(blocked=[sandbox.allowed / "link_blocked"])
    assert policy.check(f"{sandbox.allowed}/blocked/secret.txt").reason is Reason.BLOCKED


def test_blocked_inside_cache_and_static(sandbox: Sandbox) -> None:
    policy = sandbox.policy(blocked=[sandbox.static, sandbox.cache_base])
    entry = policy.cache.store_bytes(b"x", "a.txt")
    assert policy.check(f"{sandbox.static}/static_public.txt").reason is Reason.BLOCKED
    assert policy.check(str(entry.path)).reason is Reason.BLOCKED


def test_cache_entries_are_served_and_marked_untrusted(policy: FilePolicy) -> None:
    entry = policy.cache.store_bytes(b"<svg/>", "evil.svg")
    with policy.open_for_serving(str(entry.path)) as served:
        assert served.file.read() == b"<svg/>"
        assert served.granted_by is Reason.CACHE and not served.trusted
        assert (served.name, served.size, served.path) == ("evil.svg", 6, entry.path)
        assert served.ino == os.stat(entry.path).st_ino
        assert served.mtime == os.stat(entry.path).st_mtime
    assert served.file.closed


def test_allowed_and_static_are_trusted(sandbox: Sandbox, policy: FilePolicy) -> None:
    with policy.open_for_serving(f"{sandbox.allowed}/public.txt") as served:
        assert served.trusted
    with policy.open_for_serving(f"{sandbox.static}/static_public.txt") as served:
        assert served.trusted and served.granted_by is Reason.STATIC


def test_other_instances_entries_are_not_served(sandbox: Sandbox) -> None:
    one, two = sandbox.policy(), sandbox.policy()
    entry = one.cache.store_bytes(b"mine", "a.txt")
    assert one.check(str(entry.path)).allowed
    assert two.check(str(entry.path)).reason is Reason.NOT_ISSUED


def test_planted_file_is_not_served_even_if_the_cache_is_allowed(sandbox: Sandbox) -> None:
    policy = sandbox.policy(allowed=[sandbox.tmp])
    assert policy.check(f"{sandbox.tmp}/public_tmp.txt").allowed
    planted = f"{sandbox.cache_base}/planted/foreign_secret.txt"
    assert policy.check(planted).reason is Reason.NOT_ISSUED
    assert policy.check(planted.upper()).reason in (Reason.NOT_ISSUED, Reason.OUTSIDE)


def test_cache_base_enclosing_the_tempdir_reserves_only_the_instance(sandbox: Sandbox) -> None:
    from porch.files.cache import FileCache

    cache = FileCache(sandbox.tmp)
    sandbox.caches.append(cache)
    rules = FileRules.build(allowed=[sandbox.tmp], cwd=sandbox.app, tempdir=sandbox.tmp)
    policy = FilePolicy(rules, cache)
    assert policy.check(f"{sandbox.tmp}/public_tmp.txt").allowed
    planted = cache.root / "planted.txt"
    planted.write_text("SECRET-IN-INSTANCE")
    assert policy.check(str(planted)).reason is Reason.NOT_ISSUED


# -- what is opened is what was checked


def swap_after_check(monkeypatch: pytest.MonkeyPatch, policy: FilePolicy, swap: object) -> None:
    real_check = policy.check

    def check_then_swap(candidate: str | Path) -> Decision:
        decision = real_check(candidate)
        swap()  # type: ignore[operator]
        return decision

    monkeypatch.setattr(policy, "check", check_then_swap)


def test_file_swapped_for_link_after_check(
    sandbox: Sandbox, policy: FilePolicy, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = sandbox.allowed / "public.txt"

    def swap() -> None:
        os.unlink(target)
        os.symlink(sandbox.outside / "secret.txt", target)

    swap_after_check(monkeypatch, policy, swap)
    with pytest.raises(FileNotAllowed):
        policy.open_for_serving(str(target))


def test_directory_swapped_for_link_after_check(
    sandbox: Sandbox, policy: FilePolicy, monkeypatch: pytest.MonkeyPatch
) -> None:
    sub = sandbox.allowed / "sub"

    def swap() -> None:
        os.rename(sub, sandbox.root / "sub.moved")
        os.symlink(sandbox.outside / "sub", sub)

    swap_after_check(monkeypatch, policy, swap)
    with pytest.raises(FileNotAllowed):
        policy.open_for_serving(f"{sub}/public2.txt")


def test_file_removed_after_check(
    sandbox: Sandbox, policy: FilePolicy, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = sandbox.allowed / "public.txt"
    swap_after_check(monkeypatch, policy, lambda: os.unlink(target))
    with pytest.raises(FileNotAllowed):
        policy.open_for_serving(str(target))


def test_fifo_swapped_in_after_check(
    sandbox: Sandbox, policy: FilePolicy, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = sandbox.allowed / "public.txt"

    def swap() -> None:
        os.unlink(target)
        os.mkfifo(target)

    swap_after_check(monkeypatch, policy, swap)
    with pytest.raises(FileNotAllowed):
        policy.open_for_serving(str(target))


def test_cache_entry_replaced_after_check(
    policy: FilePolicy, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = policy.cache.store_bytes(b"mine", "a.txt")

    def swap() -> None:
        other = entry.path.parent / "other"
        other.write_text("SECRET-SWAPPED")
        os.replace(other, entry.path)

    swap_after_check(monkeypatch, policy, swap)
    with pytest.raises(FileNotAllowed):
        policy.open_for_serving(str(entry.path))


def test_opened_descriptor_elsewhere_is_refused(
    sandbox: Sandbox,
    policy: FilePolicy,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Stand-in for what no path check can see (a bind mount or rename under our feet): the
    # descriptor's real location is checked after opening.
    secret = sandbox.outside / "secret.txt"
    monkeypatch.setattr(policy_module, "_open_nofollow", lambda path: os.open(secret, os.O_RDONLY))
    with caplog.at_level(logging.INFO, logger="porch.files"), pytest.raises(FileNotAllowed):
        policy.open_for_serving(f"{sandbox.allowed}/public.txt")
    assert Reason.CHANGED.value in caplog.text


def test_location_check_without_proc(
    sandbox: Sandbox, policy: FilePolicy, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_proc(path: str) -> str:
        raise FileNotFoundError(errno.ENOENT, "no /proc")

    monkeypatch.setattr(os, "readlink", no_proc)
    assert read_served(policy, f"{sandbox.allowed}/public.txt") == "PUBLIC-ALLOWED"
    secret = sandbox.outside / "secret.txt"
    monkeypatch.setattr(policy_module, "_open_nofollow", lambda path: os.open(secret, os.O_RDONLY))
    with pytest.raises(FileNotAllowed):
        policy.open_for_serving(f"{sandbox.allowed}/public.txt")


def test_location_check_without_proc_when_name_vanished(
    sandbox: Sandbox, policy: FilePolicy, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = sandbox.allowed / "public.txt"
    real_open = policy_module._open_nofollow

    def open_then_unlink(path: Path) -> int:
        fd = real_open(path)
        os.unlink(target)
        return fd

    def no_proc(path: str) -> str:
        raise FileNotFoundError(errno.ENOENT, "no /proc")

    monkeypatch.setattr(os, "readlink", no_proc)
    monkeypatch.setattr(policy_module, "_open_nofollow", open_then_unlink)
    with pytest.raises(FileNotAllowed):
        policy.open_for_serving(str(target))


@pytest.mark.parametrize(
    ("err", "reason"),
    [
        (errno.EACCES, Reason.UNREADABLE),
        (errno.ELOOP, Reason.CHANGED),
        (errno.ENOENT, Reason.MISSING),
    ],
)
def test_open_errors_are_refusals(
    sandbox: Sandbox,
    policy: FilePolicy,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    err: int,
    reason: Reason,
) -> None:
    def fail(path: Path) -> int:
        raise OSError(err, os.strerror(err))

    monkeypatch.setattr(policy_module, "_open_nofollow", fail)
    with caplog.at_level(logging.INFO, logger="porch.files"), pytest.raises(FileNotAllowed):
        policy.open_for_serving(f"{sandbox.allowed}/public.txt")
    assert f": {reason.value}" in caplog.text


def test_swap_race_never_leaks(sandbox: Sandbox, policy: FilePolicy) -> None:
    """The corpus's swap_race: a co-tenant flips a file between regular and link-out."""
    target = sandbox.allowed / "flip.txt"
    target.write_text("PUBLIC-FLIP")
    stop = threading.Event()

    def flipper() -> None:
        i = 0
        while not stop.is_set():
            tmp = sandbox.allowed / f"flip.swap{i % 2}"
            try:
                if os.path.lexists(tmp):
                    os.unlink(tmp)
                if i % 2:
                    os.symlink(sandbox.outside / "secret.txt", tmp)
                else:
                    tmp.write_text("PUBLIC-FLIP")
                os.replace(tmp, target)
            except OSError:
                pass
            i += 1

    thread = threading.Thread(target=flipper)
    thread.start()
    served = refused = 0
    try:
        for _ in range(1500):
            try:
                body = read_served(policy, str(target))
            except FileNotAllowed:
                refused += 1
                continue
            served += 1
            assert "SECRET" not in body
    finally:
        stop.set()
        thread.join()
    # Refusing everything would also never leak: the regular-file moments must be served.
    assert served > 0 and refused > 0, (served, refused)


def test_link_replaced_while_resolving(
    sandbox: Sandbox, policy: FilePolicy, monkeypatch: pytest.MonkeyPatch
) -> None:
    # realpath lstat()s a link, then readlink()s it; replaced in between, readlink fails.
    def racing_realpath(path: str) -> str:
        raise OSError(errno.EINVAL, "Invalid argument", path)

    monkeypatch.setattr(os.path, "realpath", racing_realpath)
    assert policy.check(f"{sandbox.allowed}/public.txt") == Decision(False, Reason.CHANGED)
    with pytest.raises(FileNotAllowed):
        policy.open_for_serving(f"{sandbox.allowed}/public.txt")
