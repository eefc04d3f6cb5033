"""The public surface: one sorted, complete `__all__`, and a light `import porch`."""

from __future__ import annotations

import subprocess
import sys

import porch

EXPECTED = [
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
    "DataFrame",
    "Dataframe",
    "Dataset",
    "DateTime",
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
    "Request",
    "RetryData",
    "Row",
    "ScatterPlot",
    "SelectData",
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
    "close_all",
    "deploy",
    "get_package_version",
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
    "set_static_paths",
    "skip",
    "themes",
    "update",
    "validate",
    "validators",
]


def test_all_is_pinned_and_sorted() -> None:
    assert porch.__all__ == EXPECTED
    assert porch.__all__ == sorted(porch.__all__)


def test_every_public_name_exists() -> None:
    for name in porch.__all__:
        assert hasattr(porch, name), name


def test_import_porch_loads_no_server_or_heavy_library() -> None:
    code = (
        "import sys, porch; "
        "bad = [m for m in ('starlette', 'uvicorn', 'numpy', 'PIL', 'httpx', 'anyio') "
        "if m in sys.modules]; print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == ""


def test_version_is_a_string() -> None:
    assert isinstance(porch.__version__, str) and porch.__version__.count(".") == 2
