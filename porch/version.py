"""porch's own version (the wire reports a Gradio-compatible one: see porch.protocol)."""

__version__ = "0.1.0"
