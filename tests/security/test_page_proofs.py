"""The page's proof for UI-only events (porch/server/event_access.py) as properties: a proof
holds only for the cookie it was made for, in the app run that made it, and nothing a client
can send makes the check raise."""

from __future__ import annotations

import secrets

from hypothesis import given
from hypothesis import strategies as st

from porch.server.event_access import PageProofs

cookies = st.text(alphabet="0123456789abcdef", min_size=32, max_size=32)
anything = st.one_of(st.none(), st.text(), st.text(alphabet="0123456789abcdef"))
PROOFS = PageProofs()


@given(cookies)
def test_a_proof_holds_for_its_own_cookie(cookie: str) -> None:
    assert PROOFS.holds(cookie, PROOFS.issue(cookie))


@given(cookies, cookies)
def test_a_proof_is_bound_to_the_cookie_it_was_made_for(mine: str, theirs: str) -> None:
    if mine != theirs:
        assert not PROOFS.holds(theirs, PROOFS.issue(mine))


@given(cookies)
def test_another_app_or_run_does_not_accept_the_proof(cookie: str) -> None:
    assert not PageProofs().holds(cookie, PROOFS.issue(cookie))


@given(anything, anything)
def test_made_up_proofs_are_refused_and_never_raise(cookie: str | None,
                                                    proof: str | None) -> None:
    # A made-up proof has a 2**-256 chance; any answer other than False is a bug.
    assert PROOFS.holds(cookie, proof) is False or (
        cookie is not None and proof == PROOFS.issue(cookie))


@given(cookies, st.integers(min_value=0, max_value=63), st.sampled_from("0123456789abcdef"))
def test_changing_one_character_breaks_it(cookie: str, where: int, char: str) -> None:
    proof = PROOFS.issue(cookie)
    changed = proof[:where] + char + proof[where + 1:]
    assert PROOFS.holds(cookie, changed) == (changed == proof)


def test_no_cookie_or_no_proof_is_never_enough() -> None:
    cookie = secrets.token_hex(16)
    assert not PROOFS.holds(None, PROOFS.issue(cookie))
    assert not PROOFS.holds(cookie, None)
    assert not PROOFS.holds("", PROOFS.issue(""))
