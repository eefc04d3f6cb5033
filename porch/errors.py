"""Every exception porch raises, in one place.

```
PorchError
├── ConfigError        wrong setup; the message names the fix
├── FileNotAllowed     a file request or returned path refused by the gate (logged with its reason)
├── UploadRejected     an upload broke a limit or was malformed (carries an HTTP status)
├── QueueFull          the queue reached its max_size
├── InvalidRequest     a malformed API request (carries an HTTP status)
├── ShownError         a message meant for the app's user: title, duration, visible
│   ├── Error          raised by app code; its message is shown in the UI, as text
│   └── AppError       (porch.Client) the remote app's function failed with such a message
│
│   raised by porch.Client (these and AppError are also ValueErrors, as in gradio_client):
├── AuthenticationError  the remote app wants credentials, or refused the ones given
├── ValidationError    the remote app refused the inputs (HTTP 422); `messages` lists why
└── RemoteError        the server could not be reached, or broke off the protocol
```

The client also raises `QueueFull` (the remote queue is full, HTTP 503) and `UploadRejected`
(a file is over the app's `max_file_size`, checked before uploading, or refused with 413).

`Info`, `Warning` and `Success` are not exceptions: they are calls that post a toast from
inside a running event (see `porch.reporting`).
"""

from __future__ import annotations


class PorchError(Exception):
    """Base of every porch exception."""


class ConfigError(PorchError):
    """The app is set up wrongly; the message says how to fix it."""


class FileNotAllowed(PorchError):
    """A path was refused by the file gate.

    The message is safe to show a client: it repeats only what the client sent. The reason
    (outside, blocked, missing, ...) goes to the server log, never to the client.
    """


class UploadRejected(PorchError):
    """An upload broke a limit or could not be parsed."""

    def __init__(self, message: str, status_code: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code


class QueueFull(PorchError):
    """The queue is at its `max_size`; the client should retry later."""


class InvalidRequest(PorchError):
    """A request the API cannot act on (unknown endpoint, malformed body).

    `detail` is what the client is told: a sentence, or a list of validation problems.
    """

    def __init__(self, detail: object, status_code: int = 400) -> None:
        super().__init__(detail)
        self.detail = detail
        self.message = detail if isinstance(detail, str) else "Invalid request."
        self.status_code = status_code


class ShownError(PorchError):
    """An error whose message is meant for the app's user, with how to show it.

    `title` heads the toast, `duration` is how long it stays (seconds, None = until
    closed), `visible=False` reports the failure without a toast.
    """

    def __init__(
        self,
        message: str = "Error raised.",
        duration: float | None = 10,
        visible: bool = True,
        title: str = "Error",
        print_exception: bool = True,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.duration = duration
        self.visible = visible
        self.title = title
        self.print_exception = print_exception

    def __str__(self) -> str:
        return self.message


class Error(ShownError):
    """Raise from an app function to show `message` to the user."""


# ---- raised by porch.Client -----------------------------------------------------------------


class AppError(ShownError, ValueError):
    """The remote app's function raised; the fields are what the app chose to show.

    A ValueError too, so code written against gradio_client's `AppError` keeps catching it.
    """


class AuthenticationError(PorchError, ValueError):
    """The remote app needs a login (`Client(url, auth=(user, password))`) or refused it."""


class ValidationError(PorchError, ValueError):
    """The remote app refused the call's inputs before running it (HTTP 422).

    `messages` holds one line per refused parameter (`"- name: why"`).
    """

    def __init__(self, message: str, messages: list[str] | None = None) -> None:
        super().__init__(message)
        self.messages = list(messages or [])


class RemoteError(PorchError):
    """The server could not be reached, answered outside the protocol, or stopped mid-call.

    The message names the URL and what went wrong; the httpx error, if any, is chained.
    """
