"""`porch.testing`: drive a porch app from pytest, in-process (docs/testing.md).

    from porch.testing import AppTest

    at = AppTest(demo)
    at.get("Name").set("Ada")
    result = at.click("Greet")
    assert result[greeting] == "Hello, Ada!"

Imported on its own, never by `import porch`: it pulls in the server.
"""

from porch.testing.apptest import AppTest, Session, StateView
from porch.testing.handles import Handle
from porch.testing.page import RequestRefused
from porch.testing.results import Failure, Result, Run, Step, Toast
from porch.testing.streams import Stream

__all__ = ["AppTest", "Failure", "Handle", "RequestRefused", "Result", "Run", "Session",
           "StateView", "Step", "Stream", "Toast"]
