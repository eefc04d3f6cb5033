"""`porch.deploy()`: Gradio's push-to-Hugging-Face-Spaces command, which porch does not do.

Gradio's version uploads the working directory to a Space running the *gradio* SDK, so it
would not run porch; porch also makes no network call the app author did not ask for.
See docs/compatibility.md for how to host a porch app instead.
"""

from __future__ import annotations

from porch.errors import ConfigError


def deploy(title: str | None = None, app_file: str | None = None,
           provider: str | None = "spaces") -> None:
    """Refuse, naming what to do instead (the keywords are Gradio's, for a clear message)."""
    raise ConfigError(
        f"porch does not deploy to {provider or 'a provider'}: serve the app yourself with "
        f"`porch {app_file or 'app.py'} --no-reload` (or `launch(server_name='0.0.0.0')`) "
        "behind your own host, or share it through your SSH server with `launch(share=...)`; "
        "see docs/compatibility.md.")
