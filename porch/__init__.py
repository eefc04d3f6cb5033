"""porch: Python functions as web apps, with a Gradio-shaped API and file access you can trust.

    import porch as gr
    gr.Interface(lambda name: f"Hello {name}!", "text", "text").launch()
"""

from porch.blocks.blocks import Blocks as Blocks
from porch.blocks.events import Dependency as Dependency
from porch.blocks.interface import Interface as Interface
from porch.blocks.layout import Column as Column
from porch.blocks.layout import Group as Group
from porch.blocks.layout import Row as Row
from porch.blocks.static_paths import set_static_paths as set_static_paths
from porch.components.button import Button as Button
from porch.components.data import JSON as JSON
from porch.components.files import File as File
from porch.components.number import Number as Number
from porch.components.state import State as State
from porch.components.text import Markdown as Markdown
from porch.components.text import Textbox as Textbox
from porch.errors import Error as Error
from porch.files.limits import FileSize as FileSize
from porch.queue.context import Info as Info
from porch.queue.context import Success as Success
from porch.queue.context import Warning as Warning  # noqa: A004 - Gradio's name
from porch.version import __version__ as __version__

__all__ = [
    "Blocks",
    "Button",
    "Column",
    "Dependency",
    "Error",
    "File",
    "FileSize",
    "Group",
    "Info",
    "Interface",
    "JSON",
    "Markdown",
    "Number",
    "Row",
    "State",
    "Success",
    "Textbox",
    "Warning",
    "__version__",
    "set_static_paths",
]
