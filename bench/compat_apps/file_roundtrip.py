import os
import tempfile

import porch as gr


def shout_file(path):
    with open(path) as f:
        text = f.read()
    out = os.path.join(tempfile.mkdtemp(), "shouted.txt")
    with open(out, "w") as f:
        f.write(text.upper())
    return out


demo = gr.Interface(shout_file, gr.File(label="Text file"), gr.File(label="Upper-cased"))

if __name__ == "__main__":
    demo.launch()
