import numpy as np

import porch as gr


def reverse_audio(audio):
    sr, data = audio
    return (sr, np.flipud(data))


demo = gr.Interface(fn=reverse_audio, inputs="audio", outputs="audio")

if __name__ == "__main__":
    demo.launch()
