"""A sepia filter: numpy in, numpy out, with an example image shipped beside this file."""

from pathlib import Path

import numpy as np

import porch as gr

IMAGES = Path(__file__).parent / "images"


def sepia(image: np.ndarray) -> np.ndarray:
    kernel = np.array([[0.393, 0.769, 0.189],
                       [0.349, 0.686, 0.168],
                       [0.272, 0.534, 0.131]])
    toned = image[..., :3].astype(np.float64) @ kernel.T
    return np.clip(toned, 0, 255).astype(np.uint8)


demo = gr.Interface(
    sepia,
    gr.Image(label="photo"),
    gr.Image(label="sepia"),
    examples=[[str(IMAGES / "landscape.png")]],
    title="Sepia filter",
    description="Upload a picture (or click the example) to tone it sepia.",
)

if __name__ == "__main__":
    # The example image is a developer file: grant its folder wherever the app is started.
    demo.launch(allowed_paths=[str(IMAGES)])
