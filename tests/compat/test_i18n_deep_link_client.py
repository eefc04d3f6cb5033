"""gradio_client against an app with gr.I18n labels and a DeepLinkButton: it loads, its
endpoints work, a translated output arrives as Gradio sends it (the token)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import porch as gr

gradio_client = pytest.importorskip("gradio_client", reason="install the test extras")
from gradio_client import Client  # noqa: E402

pytestmark = pytest.mark.compat

I18N = gr.I18n(en={"name": "Name", "done": "Done"}, de={"name": "Name", "done": "Fertig"})


def test_an_app_with_i18n_and_a_deep_link_button_works_from_gradio_client(
        serve: Callable[..., str], tmp_path: Path) -> None:
    with gr.Blocks(title=I18N("name")) as demo:
        name = gr.Textbox(label=I18N("name"), placeholder=I18N("name"))
        out = gr.Textbox(label=I18N("done"))
        status = gr.Markdown()
        gr.Button(I18N("done")).click(lambda n: n.upper(), name, out, api_name="shout")
        name.submit(lambda _: I18N("done"), name, status, api_name="status")
        gr.DeepLinkButton()
    client = Client(serve(demo, i18n=I18N), verbose=False, download_files=str(tmp_path))
    assert client.predict("ada", api_name="/shout") == "ADA"
    assert client.predict("x", api_name="/status") == str(I18N("done"))
    assert set(client.view_api(return_format="dict", print_info=False)["named_endpoints"]) == {
        "/shout", "/status"}
    assert client.config["i18n_translations"] == I18N.translations_dict
