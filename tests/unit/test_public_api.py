"""The public surface: one sorted, complete `__all__`, and a light `import porch`."""

from __future__ import annotations

import subprocess
import sys

import porch

EXPECTED = [
    "Accordion", "AnnotatedImage", "AsyncClient", "Audio", "Blocks", "BrowserState", "Brush",
    "Button", "CSVLogger", "ChatInterface", "ChatMessage", "Chatbot", "Checkbox", "CheckboxGroup",
    "ClearButton", "Client", "Code", "ColorPicker", "Column", "CopyData", "DataFrame", "Dataframe",
    "Dataset", "DateTime", "Dependency", "DownloadButton", "Dropdown", "EditData", "Eraser",
    "Error", "EventData", "Examples", "File", "FileSize", "FlaggingCallback", "Gallery", "Group",
    "HTML", "Highlight", "HighlightedText", "Image", "ImageEditor", "ImageMask", "ImageSlider",
    "Info", "Interface", "JSON", "KeyUpData", "Label", "LayerOptions", "LikeData", "Markdown",
    "MultimodalTextbox", "Number", "Paint", "Plot", "Progress", "Radio", "Request", "RetryData",
    "Row", "SelectData", "Sidebar", "Sketchpad", "Slider", "State", "Success", "Tab", "TabItem",
    "TabbedInterface", "Tabs", "Text", "TextArea", "Textbox", "Timer", "UndoData", "UploadButton",
    "Video", "Warning", "WatermarkOptions", "__version__", "handle_file", "mount", "on", "render",
    "set_static_paths", "skip", "themes", "update"
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
