"""porch: Python functions as web apps, with a Gradio-shaped API and file access you can trust.

    import porch as gr
    gr.Interface(lambda name: f"Hello {name}!", "text", "text").launch()

`Client`, `AsyncClient` and `handle_file` load on first use, so that `import porch` (an app)
never pays for httpx.
"""

from typing import TYPE_CHECKING, Any

from porch.blocks import themes as themes
from porch.blocks.blocks import Blocks as Blocks
from porch.blocks.chat_interface import ChatInterface as ChatInterface
from porch.blocks.context import CopyData as CopyData
from porch.blocks.context import EditData as EditData
from porch.blocks.context import EventData as EventData
from porch.blocks.context import KeyUpData as KeyUpData
from porch.blocks.context import LikeData as LikeData
from porch.blocks.context import Request as Request
from porch.blocks.context import RetryData as RetryData
from porch.blocks.context import SelectData as SelectData
from porch.blocks.context import UndoData as UndoData
from porch.blocks.events import Dependency as Dependency
from porch.blocks.events import on as on
from porch.blocks.examples import Examples as Examples
from porch.blocks.flagging import CSVLogger as CSVLogger
from porch.blocks.flagging import FlaggingCallback as FlaggingCallback
from porch.blocks.interface import Interface as Interface
from porch.blocks.layout import Accordion as Accordion
from porch.blocks.layout import Column as Column
from porch.blocks.layout import Group as Group
from porch.blocks.layout import Row as Row
from porch.blocks.layout import Sidebar as Sidebar
from porch.blocks.layout import Tab as Tab
from porch.blocks.layout import TabItem as TabItem
from porch.blocks.layout import Tabs as Tabs
from porch.blocks.render import render as render
from porch.blocks.static_paths import set_static_paths as set_static_paths
from porch.blocks.tabbed_interface import TabbedInterface as TabbedInterface
from porch.blocks.updates import skip as skip
from porch.blocks.updates import update as update
from porch.components.annotated import AnnotatedImage as AnnotatedImage
from porch.components.annotated import ImageSlider as ImageSlider
from porch.components.button import Button as Button
from porch.components.button import ClearButton as ClearButton
from porch.components.chat import Chatbot as Chatbot
from porch.components.chat import ChatMessage as ChatMessage
from porch.components.chat import MultimodalTextbox as MultimodalTextbox
from porch.components.choice import Checkbox as Checkbox
from porch.components.choice import CheckboxGroup as CheckboxGroup
from porch.components.choice import Dropdown as Dropdown
from porch.components.choice import Radio as Radio
from porch.components.data import JSON as JSON
from porch.components.data import HighlightedText as HighlightedText
from porch.components.data import Label as Label
from porch.components.dataset import Dataset as Dataset
from porch.components.editor_presets import ImageMask as ImageMask
from porch.components.editor_presets import Paint as Paint
from porch.components.editor_presets import Sketchpad as Sketchpad
from porch.components.file_buttons import DownloadButton as DownloadButton
from porch.components.file_buttons import UploadButton as UploadButton
from porch.components.files import File as File
from porch.components.gallery import Gallery as Gallery
from porch.components.image_editor import Brush as Brush
from porch.components.image_editor import Eraser as Eraser
from porch.components.image_editor import ImageEditor as ImageEditor
from porch.components.image_editor import LayerOptions as LayerOptions
from porch.components.media import Audio as Audio
from porch.components.media import Image as Image
from porch.components.media import Video as Video
from porch.components.number import Number as Number
from porch.components.number import Slider as Slider
from porch.components.picker import ColorPicker as ColorPicker
from porch.components.picker import DateTime as DateTime
from porch.components.plot import Plot as Plot
from porch.components.state import BrowserState as BrowserState
from porch.components.state import State as State
from porch.components.table import Dataframe as Dataframe
from porch.components.text import HTML as HTML
from porch.components.text import Code as Code
from porch.components.text import Markdown as Markdown
from porch.components.text import TextArea as TextArea
from porch.components.text import Textbox as Textbox
from porch.components.timer import Timer as Timer
from porch.components.watermark import WatermarkOptions as WatermarkOptions
from porch.errors import Error as Error
from porch.files.limits import FileSize as FileSize
from porch.reporting import Info as Info
from porch.reporting import Progress as Progress
from porch.reporting import Success as Success
from porch.reporting import Warning as Warning  # noqa: A004 - Gradio's name
from porch.version import __version__ as __version__

# Gradio's other spellings of the same components.
DataFrame = Dataframe
Highlight = HighlightedText
Text = Textbox

if TYPE_CHECKING:
    from porch.client import AsyncClient as AsyncClient
    from porch.client import Client as Client
    from porch.client import handle_file as handle_file
    from porch.server.mount import mount as mount

_LAZY = {"AsyncClient": "porch.client", "Client": "porch.client", "handle_file": "porch.client",
         "mount": "porch.server.mount"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'porch' has no attribute {name!r}")


__all__ = [
    "Accordion",
    "AnnotatedImage",
    "AsyncClient",
    "Audio",
    "Blocks",
    "BrowserState",
    "Brush",
    "Button",
    "CSVLogger",
    "ChatInterface",
    "ChatMessage",
    "Chatbot",
    "Checkbox",
    "CheckboxGroup",
    "ClearButton",
    "Client",
    "Code",
    "ColorPicker",
    "Column",
    "CopyData",
    "DataFrame",
    "Dataframe",
    "Dataset",
    "DateTime",
    "Dependency",
    "DownloadButton",
    "Dropdown",
    "EditData",
    "Eraser",
    "Error",
    "EventData",
    "Examples",
    "File",
    "FileSize",
    "FlaggingCallback",
    "Gallery",
    "Group",
    "HTML",
    "Highlight",
    "HighlightedText",
    "Image",
    "ImageEditor",
    "ImageMask",
    "ImageSlider",
    "Info",
    "Interface",
    "JSON",
    "KeyUpData",
    "Label",
    "LayerOptions",
    "LikeData",
    "Markdown",
    "MultimodalTextbox",
    "Number",
    "Paint",
    "Plot",
    "Progress",
    "Radio",
    "Request",
    "RetryData",
    "Row",
    "SelectData",
    "Sidebar",
    "Sketchpad",
    "Slider",
    "State",
    "Success",
    "Tab",
    "TabItem",
    "TabbedInterface",
    "Tabs",
    "Text",
    "TextArea",
    "Textbox",
    "Timer",
    "UndoData",
    "UploadButton",
    "Video",
    "Warning",
    "WatermarkOptions",
    "__version__",
    "handle_file",
    "mount",
    "on",
    "render",
    "set_static_paths",
    "skip",
    "themes",
    "update",
]
