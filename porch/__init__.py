"""porch: Python functions as web apps, with a Gradio-shaped API and file access you can trust.

    import porch as gr
    gr.Interface(lambda name: f"Hello {name}!", "text", "text").launch()

`Client`, `AsyncClient` and `handle_file` load on first use, so that `import porch` (an app)
never pays for httpx.
"""

from typing import TYPE_CHECKING, Any

from porch import mcp as mcp
from porch import validators as validators
from porch.blocks import themes as themes
from porch.blocks.api_endpoint import api as api
from porch.blocks.blocks import Blocks as Blocks
from porch.blocks.blocks import close_all as close_all
from porch.blocks.blocks import serve_with as _serve_with
from porch.blocks.chat_interface import ChatInterface as ChatInterface
from porch.blocks.context import CopyData as CopyData
from porch.blocks.context import DeletedFileData as DeletedFileData
from porch.blocks.context import DownloadData as DownloadData
from porch.blocks.context import EditData as EditData
from porch.blocks.context import EventData as EventData
from porch.blocks.context import Header as Header
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
from porch.blocks.flagging import SimpleCSVLogger as SimpleCSVLogger
from porch.blocks.interface import Interface as Interface
from porch.blocks.layout import Accordion as Accordion
from porch.blocks.layout import Column as Column
from porch.blocks.layout import Group as Group
from porch.blocks.layout import Row as Row
from porch.blocks.layout import Sidebar as Sidebar
from porch.blocks.layout import Tab as Tab
from porch.blocks.layout import TabItem as TabItem
from porch.blocks.layout import Tabs as Tabs
from porch.blocks.oauth import OAuthProfile as OAuthProfile
from porch.blocks.oauth import OAuthToken as OAuthToken
from porch.blocks.render import render as render
from porch.blocks.static_paths import set_static_paths as set_static_paths
from porch.blocks.tabbed_interface import TabbedInterface as TabbedInterface
from porch.blocks.themes import Theme as Theme
from porch.blocks.updates import skip as skip
from porch.blocks.updates import update as update
from porch.blocks.updates import validate as validate
from porch.blocks.walkthrough import Step as Step
from porch.blocks.walkthrough import Walkthrough as Walkthrough
from porch.caching import Cache as Cache
from porch.caching import cache as cache
from porch.components.annotated import AnnotatedImage as AnnotatedImage
from porch.components.annotated import ImageSlider as ImageSlider
from porch.components.audio import Audio as Audio
from porch.components.audio import Mic as Mic
from porch.components.audio import Microphone as Microphone
from porch.components.base import Component as Component
from porch.components.button import Button as Button
from porch.components.button import ClearButton as ClearButton
from porch.components.capture import WaveformOptions as WaveformOptions
from porch.components.capture import WebcamOptions as WebcamOptions
from porch.components.chat import Chatbot as Chatbot
from porch.components.choice import Checkbox as Checkbox
from porch.components.choice import CheckboxGroup as CheckboxGroup
from porch.components.choice import Dropdown as Dropdown
from porch.components.choice import Radio as Radio
from porch.components.data import JSON as JSON
from porch.components.data import Label as Label
from porch.components.dataset import Dataset as Dataset
from porch.components.dialogue import Dialogue as Dialogue
from porch.components.editor_presets import ImageMask as ImageMask
from porch.components.editor_presets import Paint as Paint
from porch.components.editor_presets import Sketchpad as Sketchpad
from porch.components.file_buttons import DownloadButton as DownloadButton
from porch.components.file_buttons import UploadButton as UploadButton
from porch.components.file_explorer import FileExplorer as FileExplorer
from porch.components.files import File as File
from porch.components.gallery import Gallery as Gallery
from porch.components.highlighted import HighlightedText as HighlightedText
from porch.components.i18n import I18n as I18n
from porch.components.image_editor import Brush as Brush
from porch.components.image_editor import Eraser as Eraser
from porch.components.image_editor import ImageEditor as ImageEditor
from porch.components.image_editor import LayerOptions as LayerOptions
from porch.components.link_buttons import DeepLinkButton as DeepLinkButton
from porch.components.link_buttons import DuplicateButton as DuplicateButton
from porch.components.login_button import LoginButton as LoginButton
from porch.components.markup import HTML as HTML
from porch.components.markup import Markdown as Markdown
from porch.components.media import Image as Image
from porch.components.media import PlayableVideo as PlayableVideo
from porch.components.media import Video as Video
from porch.components.messages import ChatMessage as ChatMessage
from porch.components.messages import MessageDict as MessageDict
from porch.components.model3d import Model3D as Model3D
from porch.components.multimodal import MultimodalTextbox as MultimodalTextbox
from porch.components.native_plots import BarPlot as BarPlot
from porch.components.native_plots import LinePlot as LinePlot
from porch.components.native_plots import ScatterPlot as ScatterPlot
from porch.components.number import Number as Number
from porch.components.number import Slider as Slider
from porch.components.param_viewer import ParamViewer as ParamViewer
from porch.components.picker import ColorPicker as ColorPicker
from porch.components.picker import DateTime as DateTime
from porch.components.plot import Plot as Plot
from porch.components.presets import Files as Files
from porch.components.presets import List as List
from porch.components.presets import Matrix as Matrix
from porch.components.presets import Numpy as Numpy
from porch.components.state import BrowserState as BrowserState
from porch.components.state import State as State
from porch.components.table import Dataframe as Dataframe
from porch.components.text import Code as Code
from porch.components.text import InputHTMLAttributes as InputHTMLAttributes
from porch.components.text import TextArea as TextArea
from porch.components.text import Textbox as Textbox
from porch.components.timer import Timer as Timer
from porch.components.watermark import WatermarkOptions as WatermarkOptions
from porch.deploy import deploy as deploy
from porch.errors import Error as Error
from porch.files.limits import FileSize as FileSize
from porch.notebook import load_ipython_extension as load_ipython_extension
from porch.protocol import FileData as FileData
from porch.reporting import Info as Info
from porch.reporting import Progress as Progress
from porch.reporting import Success as Success
from porch.reporting import Warning as Warning  # noqa: A004 - Gradio's name
from porch.version import __version__ as __version__

# Gradio's other spellings of the same components.
DataFrame = Dataframe
Highlight = HighlightedText
Text = Textbox
# Gradio runs code under `if gr.NO_RELOAD:` once, not again on each reload. porch's reload
# restarts the app's process, so every run is a first run and the flag is always True.
NO_RELOAD = True


def get_package_version() -> str:
    """porch's version (Gradio's `gr.get_package_version()` gives Gradio's)."""
    return __version__
Checkboxgroup = CheckboxGroup
Annotatedimage = AnnotatedImage
Highlightedtext = HighlightedText
Json = JSON

if TYPE_CHECKING:
    from porch.blocks.workflow import Workflow as Workflow
    from porch.client import AsyncClient as AsyncClient
    from porch.client import Client as Client
    from porch.client import handle_file as handle_file
    from porch.components.workflow_canvas import WorkflowCanvas as WorkflowCanvas
    from porch.loading import load as load
    from porch.media import get_audio as get_audio
    from porch.media import get_file as get_file
    from porch.media import get_image as get_image
    from porch.media import get_model3d as get_model3d
    from porch.media import get_video as get_video
    from porch.remote_apis import load_chat as load_chat
    from porch.remote_apis import load_openapi as load_openapi
    from porch.server.mount import mount as mount
    from porch.server.mount import mount_gradio_app as mount_gradio_app
    from porch.server.server_mode import Server as Server

# Loaded when first named: heavy (the server, the clients, the engines) or rarely used (Workflow).
_LAZY = {"Workflow": "porch.blocks.workflow", "WorkflowCanvas": "porch.components.workflow_canvas",
         "DaskEngine": "porch.engines", "RayEngine": "porch.engines", "run_on": "porch.engines",
         "AsyncClient": "porch.client", "Client": "porch.client", "handle_file": "porch.client",
         "mount": "porch.server.mount",
         "mount_gradio_app": "porch.server.mount", "load": "porch.loading",
         "load_chat": "porch.remote_apis", "load_openapi": "porch.remote_apis",
         "Server": "porch.server.server_mode",
         "get_audio": "porch.media", "get_file": "porch.media", "get_image": "porch.media",
         "get_model3d": "porch.media", "get_video": "porch.media"}


def _launch(blocks: Blocks, **options: Any) -> tuple[Any, str, str | None]:
    # Imported on the first launch, not with porch: the server (Starlette, uvicorn) is what
    # most of `import porch`'s time would otherwise go to.
    from porch.server.serve import launch

    return launch(blocks, **options)


_serve_with(_launch)


def __getattr__(name: str) -> Any:
    # Modules: `porch.oidc.configure(...)` (its checks need ipaddress), `porch.engines`,
    # `porch.media` (sample files; it imports random).
    if name in ("oidc", "engines", "media"):
        import importlib

        module = importlib.import_module(f"porch.{name}")
        globals()[name] = module
        return module
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'porch' has no attribute {name!r}")


__all__ = [
    "Accordion",
    "AnnotatedImage",
    "Annotatedimage",
    "AsyncClient",
    "Audio",
    "BarPlot",
    "Blocks",
    "BrowserState",
    "Brush",
    "Button",
    "CSVLogger",
    "Cache",
    "ChatInterface",
    "ChatMessage",
    "Chatbot",
    "Checkbox",
    "CheckboxGroup",
    "Checkboxgroup",
    "ClearButton",
    "Client",
    "Code",
    "ColorPicker",
    "Column",
    "Component",
    "CopyData",
    "DaskEngine",
    "DataFrame",
    "Dataframe",
    "Dataset",
    "DateTime",
    "DeepLinkButton",
    "DeletedFileData",
    "Dependency",
    "Dialogue",
    "DownloadButton",
    "DownloadData",
    "Dropdown",
    "DuplicateButton",
    "EditData",
    "Eraser",
    "Error",
    "EventData",
    "Examples",
    "File",
    "FileData",
    "FileExplorer",
    "FileSize",
    "Files",
    "FlaggingCallback",
    "Gallery",
    "Group",
    "HTML",
    "Header",
    "Highlight",
    "HighlightedText",
    "Highlightedtext",
    "I18n",
    "Image",
    "ImageEditor",
    "ImageMask",
    "ImageSlider",
    "Info",
    "InputHTMLAttributes",
    "Interface",
    "JSON",
    "Json",
    "KeyUpData",
    "Label",
    "LayerOptions",
    "LikeData",
    "LinePlot",
    "List",
    "LoginButton",
    "Markdown",
    "Matrix",
    "MessageDict",
    "Mic",
    "Microphone",
    "Model3D",
    "MultimodalTextbox",
    "NO_RELOAD",
    "Number",
    "Numpy",
    "OAuthProfile",
    "OAuthToken",
    "Paint",
    "ParamViewer",
    "PlayableVideo",
    "Plot",
    "Progress",
    "Radio",
    "RayEngine",
    "Request",
    "RetryData",
    "Row",
    "ScatterPlot",
    "SelectData",
    "Server",
    "Sidebar",
    "SimpleCSVLogger",
    "Sketchpad",
    "Slider",
    "State",
    "Step",
    "Success",
    "Tab",
    "TabItem",
    "TabbedInterface",
    "Tabs",
    "Text",
    "TextArea",
    "Textbox",
    "Theme",
    "Timer",
    "UndoData",
    "UploadButton",
    "Video",
    "Walkthrough",
    "Warning",
    "WatermarkOptions",
    "WaveformOptions",
    "WebcamOptions",
    "Workflow",
    "WorkflowCanvas",
    "__version__",
    "api",
    "cache",
    "close_all",
    "deploy",
    "get_audio",
    "get_file",
    "get_image",
    "get_model3d",
    "get_package_version",
    "get_video",
    "handle_file",
    "load",
    "load_chat",
    "load_ipython_extension",
    "load_openapi",
    "mcp",
    "mount",
    "mount_gradio_app",
    "oidc",
    "on",
    "render",
    "run_on",
    "set_static_paths",
    "skip",
    "themes",
    "update",
    "validate",
    "validators",
]
