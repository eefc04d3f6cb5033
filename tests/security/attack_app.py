"""The target app of the public attack corpus (../shared/attack), following its env contract.

    python3 ../shared/attack/run_attacks.py --target 'cmd:python3 tests/security/attack_app.py' \
        --features queue_join,url_output,flagging
"""

from __future__ import annotations

import json
import os
from typing import Any

import porch as gr


def _paths(name: str) -> list[str]:
    raw = os.environ.get(name, "")
    return list(json.loads(raw)) if raw else []


def build() -> gr.Blocks:
    files_dir = os.environ.get("FILES_DIR", ".")

    def echo_file(f: str | None) -> str | None:
        return f

    def echo_json(value: Any) -> Any:
        return value

    def download_by_name(name: str) -> str:
        # Naive on purpose: the gate, not the app, must keep this inside the grants.
        return os.path.join(files_dir, name)

    def fetch_url_as_file(url: str) -> str:
        return url

    def image_from_url(url: str) -> str:
        return url

    with gr.Blocks(title="attack target") as demo:
        file_in, file_out = gr.File(label="in"), gr.File(label="out")
        json_in, json_out = gr.JSON(label="in"), gr.JSON(label="out")
        name, url = gr.Textbox(label="name"), gr.Textbox(label="url")
        button = gr.Button()
        button.click(echo_file, file_in, file_out, api_name="echo_file")
        button.click(echo_json, json_in, json_out, api_name="echo_json")
        button.click(download_by_name, name, file_out, api_name="download_by_name")
        # Flagging as a Blocks app writes it: a CSVLogger, called with the raw values.
        flag_a, flag_b = gr.File(label="flag a"), gr.File(label="flag b")
        logger = gr.CSVLogger()
        logger.setup([flag_a, flag_b], os.environ.get("FLAG_DIR", ".porch/flagged"))
        button.click(lambda *values: logger.flag(list(values)), [flag_a, flag_b], None,
                     api_name="flag_file", preprocess=False)
        button.click(fetch_url_as_file, url, file_out, api_name="fetch_url_as_file")
        image = getattr(gr, "Image", None)
        if image is not None:
            button.click(image_from_url, url, image(label="image", type="filepath"),
                         api_name="image_from_url")
    return demo


def main() -> None:
    os.environ.setdefault("PORCH_TEMP_DIR", os.environ.get("CACHE_DIR", ""))
    gr.set_static_paths(_paths("STATIC_PATHS"))
    auth = os.environ.get("AUTH", "")
    options: dict[str, Any] = {}
    if auth:
        user, _, password = auth.partition(":")
        options["auth"] = (user, password)
    build().launch(
        server_name=os.environ.get("HOST", "127.0.0.1"),
        server_port=int(os.environ["PORT"]),
        allowed_paths=_paths("ALLOWED_PATHS"),
        blocked_paths=_paths("BLOCKED_PATHS"),
        max_file_size=int(os.environ["MAX_FILE_SIZE"]) if os.environ.get("MAX_FILE_SIZE")
        else None,
        strict_files=os.environ.get("STRICT_FILES") == "1",
        quiet=True,
        **options,
    )


if __name__ == "__main__":
    main()
