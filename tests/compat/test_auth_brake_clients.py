"""What the official gradio_client 2.7.2 and porch.Client report when the login brake holds
them off: wrong credentials stay AuthenticationError (401); a braked login (429) is another
error, whose message porch.Client passes on."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from gradio_client import Client
from gradio_client.exceptions import AuthenticationError

import porch as gr
from porch.client import AuthenticationError as PorchAuthenticationError
from porch.client import Client as PorchClient
from porch.errors import RemoteError
from porch.server.brake import MemoryLoginBrake

pytestmark = pytest.mark.compat

AUTH = ("ann", "s3cret-pw")


@pytest.fixture
def url(serve: Callable[..., str]) -> str:
    with gr.Blocks() as demo:
        gr.Textbox()
    # Long delays, so that the slowest machine is still inside the first one.
    return serve(demo, auth=[AUTH], login_brake=MemoryLoginBrake(first_delay=600))


def test_gradio_client_wrong_then_braked(url: str) -> None:
    for _ in range(3):
        with pytest.raises(AuthenticationError, match="Invalid credentials"):
            Client(url, auth=("ann", "wrong"), verbose=False)
    with pytest.raises(ValueError, match="Could not login") as braked:
        Client(url, auth=AUTH, verbose=False)  # even the right password waits
    assert not isinstance(braked.value, AuthenticationError)


def test_porch_client_wrong_then_braked(url: str) -> None:
    for _ in range(3):
        with pytest.raises(PorchAuthenticationError):
            PorchClient(url, auth=("ann", "wrong"), verbose=False)
    with pytest.raises(RemoteError, match="429"):
        PorchClient(url, auth=AUTH, verbose=False)
