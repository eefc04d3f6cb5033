import numpy as np

import porch as gr


def swatches(n):
    colours = []
    for i in range(int(n)):
        tile = np.zeros((32, 32, 3), dtype=np.uint8)
        tile[..., i % 3] = 60 + 40 * i
        colours.append((tile, f"swatch {i}"))
    return colours


demo = gr.Interface(swatches, gr.Slider(1, 6, value=3, step=1, label="How many"),
                    gr.Gallery(label="Swatches", columns=3))

if __name__ == "__main__":
    demo.launch()
