"""porch's Python client for porch and Gradio apps (a drop-in for gradio_client's calls).

    from porch.client import Client, handle_file
    client = Client("http://127.0.0.1:7860/")
    client.predict(handle_file("cat.png"), api_name="/flip")

Layering: this package uses httpx, `porch.errors` and `porch.protocol` only; never the
server, blocks, components or files packages.
"""

from porch.client.client import AsyncClient, Client
from porch.client.endpoints import Endpoint
from porch.client.jobs import AsyncJob, Job
from porch.client.status import ProgressUnit, Status, StatusUpdate
from porch.client.transfers import handle_file
from porch.errors import (
    AppError,
    AuthenticationError,
    QueueFull,
    RemoteError,
    UploadRejected,
    ValidationError,
)

# gradio_client's name for a full queue.
QueueError = QueueFull

__all__ = [
    "AppError",
    "AsyncClient",
    "AsyncJob",
    "AuthenticationError",
    "Client",
    "Endpoint",
    "Job",
    "ProgressUnit",
    "QueueError",
    "QueueFull",
    "RemoteError",
    "Status",
    "StatusUpdate",
    "UploadRejected",
    "ValidationError",
    "handle_file",
]
