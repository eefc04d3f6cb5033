"""Issue 10's file-grant rules: the working directory, the temp dir, /proc /sys /dev, hard
links, trailing slashes and Unicode spellings of blocked paths. Examples, then properties."""

from __future__ import annotations

import os
import secrets
import unicodedata
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from porch.errors import FileNotAllowed
from porch.files.grants import cache_dirs, cwd_refusal, in_foreign_cache, is_never_served
from porch.files.paths import within_casefold
from porch.files.policy import Decision, FilePolicy, Reason
from tests.files.files_sandbox import Sandbox, read_served, write_after_launch

HOME = Path("/home/ann")
TMP = Path("/tmp")
FIXTURE = [HealthCheck.function_scoped_fixture]


# -- the working directory
@pytest.mark.parametrize(
    ("cwd", "why"),
    [
        ("/", "it is the file system root"),
        ("/etc", "it is a system directory"),
        ("/etc/nginx", "it is a system directory"),
        ("/usr", "it is a system directory"),
        ("/var", "it is a system directory"),
        ("/root", "it is a system directory"),
        ("/boot/grub", "it is a system directory"),
        ("/proc/self/cwd", "it is a system directory"),
        ("/home", "it is a system directory"),
        ("/home/ann", "it is the home folder"),
        ("/data", None),
        ("/data/users", None),
        ("/app", None),
        ("/usr/src/app", None),
        ("/home/ann/project", None),
        ("/var/www/site", None),
    ],
)
def test_cwd_refusal(cwd: str, why: str | None) -> None:
    assert cwd_refusal(Path(cwd), HOME, TMP) == why


def test_cwd_containing_the_home_or_temp_dir_is_not_granted() -> None:
    assert cwd_refusal(Path("/data"), Path("/data/users/ann"), TMP) == "it contains the home folder"
    assert cwd_refusal(Path("/scratch"), HOME, Path("/scratch/tmp")) == (
        "it contains the temp directory"
    )


def test_policy_with_cwd_at_root_refuses_system_files(sandbox: Sandbox) -> None:
    policy = sandbox.policy(cwd="/")
    assert policy.cwd_refusal == "it is the file system root"
    for path in ("/etc/passwd", "etc/passwd", "/etc/hostname", str(sandbox.app / "cwd_public.txt")):
        assert policy.check_output(path).reason is Reason.OUTSIDE
        with pytest.raises(FileNotAllowed, match="not a file inside the app's allowed files"):
            policy.adopt_output(path)


def test_policy_with_cwd_at_home_refuses_its_files(sandbox: Sandbox) -> None:
    policy = sandbox.policy(home=sandbox.app)
    assert policy.cwd_refusal == "it is the home folder"
    assert policy.check_output("cwd_public.txt").reason is Reason.OUTSIDE
    # The explicit grants still work.
    assert policy.check_output(f"{sandbox.allowed}/public.txt").allowed


# -- /proc, /sys, /dev
@pytest.mark.parametrize("path", ["/proc/self/environ", "/proc/1/cmdline", "/sys/kernel/notes",
                                  "/dev/null", "/dev/zero"])
def test_never_served_even_when_allowed(sandbox: Sandbox, path: str) -> None:
    policy = sandbox.policy(allowed=["/proc", "/sys", "/dev"], cwd="/proc/self")
    assert policy.check(path).reason is Reason.NEVER_SERVED
    assert policy.check_output(path).reason is Reason.NEVER_SERVED
    with pytest.raises(FileNotAllowed, match="not a file inside the app's allowed files"):
        policy.adopt_output(path)


def test_link_into_proc_is_refused(sandbox: Sandbox) -> None:
    (sandbox.allowed / "environ.txt").symlink_to("/proc/self/environ")
    policy = sandbox.policy()
    assert policy.check(f"{sandbox.allowed}/environ.txt").reason is Reason.NEVER_SERVED


# -- the temp dir
def test_temp_file_written_before_launch_is_refused(sandbox: Sandbox, policy: FilePolicy) -> None:
    decision = policy.check_output(f"{sandbox.tmp}/public_tmp.txt")
    assert decision.reason is Reason.NOT_WRITTEN_HERE
    with pytest.raises(FileNotAllowed, match="one this app wrote in the temp directory"):
        policy.adopt_output(f"{sandbox.tmp}/public_tmp.txt")


def test_temp_file_written_after_launch_is_adopted(sandbox: Sandbox, policy: FilePolicy) -> None:
    made = sandbox.tmp / "made_dir_xyz"
    made.mkdir()
    write_after_launch(policy, made / "out.wav", "PUBLIC-WAV")
    entry = policy.adopt_output(str(made / "out.wav"))
    assert read_served(policy, str(entry.path)) == "PUBLIC-WAV"


def test_temp_file_of_another_user_is_refused(sandbox: Sandbox, policy: FilePolicy) -> None:
    target = sandbox.tmp / "theirs.txt"
    write_after_launch(policy, target, "SECRET-THEIRS")
    if os.geteuid() == 0:
        os.chown(target, 54321, 54321)
    else:  # without root no file can be given away: stand in another uid for ours
        policy._uid = os.geteuid() + 1
    assert policy.check_output(str(target)).reason is Reason.NOT_WRITTEN_HERE


@pytest.mark.parametrize("cache", ["porch/inst", "gradio_env/abc"])
def test_temp_file_in_another_apps_cache_is_refused(sandbox: Sandbox, cache: str) -> None:
    policy = sandbox.policy(environ={"GRADIO_TEMP_DIR": str(sandbox.tmp / "gradio_env")})
    target = sandbox.tmp / cache / "f.txt"
    target.parent.mkdir(parents=True)
    write_after_launch(policy, target, "SECRET-CACHED")
    assert policy.check_output(str(target)).reason is Reason.FOREIGN_CACHE
    with pytest.raises(FileNotAllowed, match="porch's or Gradio's"):
        policy.adopt_output(str(target))


def test_cache_base_enclosing_the_temp_dir_refuses_only_instance_dirs(sandbox: Sandbox) -> None:
    policy = sandbox.policy(environ={"PORCH_TEMP_DIR": str(sandbox.tmp)})
    other = sandbox.tmp / secrets.token_hex(16) / "entry" / "f.txt"
    other.parent.mkdir(parents=True)
    write_after_launch(policy, other, "SECRET-OTHER-INSTANCE")
    assert policy.check_output(str(other)).reason is Reason.FOREIGN_CACHE
    write_after_launch(policy, sandbox.tmp / "mine.txt", "PUBLIC-MINE")
    assert policy.check_output(str(sandbox.tmp / "mine.txt")).reason is Reason.TEMPDIR


def test_cache_dirs_and_foreign_cache_helpers() -> None:
    env = {"GRADIO_TEMP_DIR": "/srv/g", "PORCH_TEMP_DIR": ""}
    assert cache_dirs(TMP, env) == (TMP / "gradio", TMP / "porch", Path("/srv/g"))
    assert in_foreign_cache(Path("/srv/g/x/y"), [Path("/srv/g")], TMP)
    assert not in_foreign_cache(Path("/tmp/x"), [Path("/srv/g")], TMP)
    assert not in_foreign_cache(Path("/tmp"), [Path("/tmp")], TMP)


# -- hard links
def test_hardlink_to_a_blocked_file_is_refused(sandbox: Sandbox, policy: FilePolicy) -> None:
    os.link(sandbox.allowed / "blocked" / "secret.txt", sandbox.allowed / "innocent.txt")
    assert policy.check(f"{sandbox.allowed}/innocent.txt").reason is Reason.HARDLINK
    with pytest.raises(FileNotAllowed, match="several hard links"):
        policy.adopt_output(f"{sandbox.allowed}/innocent.txt")


def test_hardlink_to_a_dotfile_in_cwd_is_refused(sandbox: Sandbox, policy: FilePolicy) -> None:
    os.link(sandbox.app / ".env", sandbox.app / "env.txt")
    assert policy.check_output("env.txt").reason is Reason.HARDLINK


def test_hardlinked_file_named_exactly_is_served(sandbox: Sandbox) -> None:
    os.link(sandbox.outside / "public.txt", sandbox.root / "exact.txt")
    policy = sandbox.policy(allowed=[sandbox.root / "exact.txt"])
    assert policy.check(str(sandbox.root / "exact.txt")) == Decision(
        True, Reason.ALLOWED, sandbox.root / "exact.txt", exact=True
    )


def test_cache_entry_with_a_second_link_is_still_served(policy: FilePolicy, tmp_path: Path) -> None:
    entry = policy.cache.store_bytes(b"PUBLIC-ENTRY", "e.txt")
    os.link(entry.path, tmp_path / "elsewhere.txt")
    assert read_served(policy, str(entry.path)) == "PUBLIC-ENTRY"


def test_hardlink_made_between_check_and_open(
    sandbox: Sandbox, policy: FilePolicy, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = policy.check

    def check_then_link(path: str | Path) -> Decision:
        decision = real(path)
        os.link(sandbox.allowed / "public.txt", sandbox.allowed / "late.txt")
        return decision

    monkeypatch.setattr(policy, "check", check_then_link)
    with pytest.raises(FileNotAllowed):
        policy.open_for_serving(f"{sandbox.allowed}/public.txt")


# -- trailing slashes and Unicode
@pytest.mark.parametrize("suffix", ["/", "/.", "//", "/./"])
def test_trailing_slash_is_not_a_file(sandbox: Sandbox, policy: FilePolicy, suffix: str) -> None:
    assert policy.check(f"{sandbox.allowed}/public.txt{suffix}").reason is Reason.NOT_A_FILE
    assert policy.check_output(f"{sandbox.app}/cwd_public.txt{suffix}").reason is Reason.NOT_A_FILE


def test_blocked_matches_every_unicode_form(sandbox: Sandbox) -> None:
    nfc = unicodedata.normalize("NFC", "caf\u00e9")
    nfd = unicodedata.normalize("NFD", nfc)
    (sandbox.allowed / nfd).mkdir()
    (sandbox.allowed / nfd / "secret.txt").write_text("SECRET-UNICODE")
    policy = sandbox.policy(blocked=[sandbox.allowed / nfc])
    for name in (nfd, nfd.upper(), nfc.upper(), nfc):
        assert policy.check(f"{sandbox.allowed}/{name}/secret.txt").reason is Reason.BLOCKED


# -- properties
NAME = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1,
               max_size=12).filter(lambda s: "/" not in s and s not in (".", ".."))
FORMS = st.sampled_from(["NFC", "NFD"])


@given(st.lists(NAME, min_size=1, max_size=4), FORMS, st.booleans())
def test_within_casefold_ignores_case_and_normal_form(
    parts: list[str], form: str, upper: bool
) -> None:
    original = PurePosixPath("/", *parts)
    respelled = [unicodedata.normalize(form, p) for p in parts]
    if upper:
        respelled = [p.casefold() for p in respelled]
    assert within_casefold(PurePosixPath("/", *respelled, "x"), original)


@given(st.lists(NAME, min_size=0, max_size=4), st.sampled_from(["proc", "sys", "dev"]))
def test_nothing_below_proc_sys_dev_is_servable(parts: list[str], top: str) -> None:
    assert is_never_served(PurePosixPath("/", top, *parts))


@given(st.lists(st.sampled_from(["home", "ann", "srv", "tmp", "x"]), min_size=0, max_size=3))
def test_a_folder_enclosing_home_or_temp_is_never_granted(parts: list[str]) -> None:
    cwd = Path("/", *parts)
    home, temp = cwd / "h" / "ann", cwd / "t"
    assert cwd_refusal(cwd, home, temp) is not None


@settings(max_examples=40, deadline=None, suppress_health_check=FIXTURE)
@given(st.text(st.characters(codec="ascii", categories=("L", "N")), min_size=1, max_size=10))
def test_old_temp_files_never_qualify_new_ones_do(sandbox: Sandbox, name: str) -> None:
    old = sandbox.tmp / f"old-{name}.txt"
    old.write_text("SECRET-OLD")
    policy = sandbox.policy()
    assert not policy.check_output(str(old)).allowed
    new = sandbox.tmp / f"new-{name}.txt"
    write_after_launch(policy, new, "PUBLIC-NEW")
    assert policy.check_output(str(new)).reason is Reason.TEMPDIR
    old.unlink()
    new.unlink()


SECRETS = ["blocked/secret.txt", "blocked_file.txt", ".dot_secret", ".hidden/inner.txt"]


@settings(max_examples=40, deadline=None, suppress_health_check=FIXTURE)
@given(st.sampled_from(SECRETS), st.text(st.characters(codec="ascii", categories=("L", "N")),
                                         min_size=1, max_size=10), st.booleans())
def test_no_hardlink_in_a_granted_folder_reaches_a_secret(
    sandbox: Sandbox, policy: FilePolicy, secret: str, name: str, in_cwd: bool
) -> None:
    folder = sandbox.app if in_cwd else sandbox.allowed / "sub"
    link = folder / f"{name}.txt"
    os.link(sandbox.allowed / secret, link)
    try:
        assert not policy.check(str(link)).allowed
        assert not policy.check_output(str(link)).allowed
    finally:
        link.unlink()


@settings(max_examples=60, deadline=None, suppress_health_check=FIXTURE)
@given(st.sampled_from(["{A}/public.txt", "{A}/sub/public2.txt", "{S}/static_public.txt"]),
       st.lists(st.sampled_from(["/", "/.", "//"]), min_size=1, max_size=3))
def test_no_trailing_slash_spelling_is_served(
    sandbox: Sandbox, policy: FilePolicy, granted: str, tail: list[str]
) -> None:
    path = granted.format(A=sandbox.allowed, S=sandbox.static) + "".join(tail)
    assert policy.check(path).reason is Reason.NOT_A_FILE
