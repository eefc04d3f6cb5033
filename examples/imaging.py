"""Imaging: draw a mask over a photo, see the masked area outlined and labelled, and compare
the photo before and after with a slider.

Run it with `python examples/imaging.py` (or `porch examples/imaging.py`) and open the page.
"""

from typing import Any

import numpy as np

import porch as gr


def outline(editor: dict[str, Any]) -> tuple[Any, Any]:
    """The drawn strokes as a labelled mask, and the photo with the strokes painted in."""
    if editor is None or editor["composite"] is None:
        raise gr.Error("Upload a photo (or just draw) first.")
    background, composite = editor["background"], editor["composite"]
    drawn = np.zeros(composite.shape[:2], dtype=float)
    for layer in editor["layers"]:
        drawn = np.maximum(drawn, layer[:, :, 3] / 255)
    annotations = []
    if drawn.any():
        rows, cols = np.nonzero(drawn)
        box = (int(cols.min()), int(rows.min()), int(cols.max()) + 1, int(rows.max()) + 1)
        annotations = [(drawn, "strokes"), (box, "area")]
    return (background[:, :, :3], annotations), (background[:, :, :3], composite[:, :, :3])


with gr.Blocks(title="Imaging") as demo:
    gr.Markdown("# Imaging\nUpload or paste a photo, draw over it, then press **Outline**.")
    with gr.Row():
        mask = gr.ImageMask(label="Draw a mask", image_mode="RGBA", canvas_size=(480, 360),
                            sources=["upload", "clipboard"],
                            value={"background": np.full((360, 480, 3), 235, dtype=np.uint8),
                                   "layers": [], "composite": None})
        marked = gr.AnnotatedImage(label="Marked", color_map={"strokes": "#1f77b4",
                                                              "area": "#ff7f0e"})
    compare = gr.ImageSlider(label="Before / after", slider_position=50)
    gr.Button("Outline", variant="primary").click(outline, mask, [marked, compare])

if __name__ == "__main__":
    demo.launch()
