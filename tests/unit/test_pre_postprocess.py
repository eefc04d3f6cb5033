"""`preprocess=False` / `postprocess=False` on an event: the function works on wire payloads
(Gradio apps use it to see a file's FileData, or to return a ready payload)."""

from __future__ import annotations

import porch as gr
from porch.components.base import Conversion


def test_raw_payloads_in_and_out() -> None:
    with gr.Blocks() as demo:
        number, out, memory = gr.Number(), gr.Number(), gr.State(0)
        raw = number.change(lambda x: x, number, [out, memory], preprocess=False,
                            postprocess=False)
        cooked = number.change(lambda x: x, number, out)
    state: dict[int, object] = {}
    conversion = Conversion()
    # Number's preprocess makes 3.0 an int; with preprocess=False the payload comes as sent.
    assert demo.convert_inputs(cooked, [3.0], state, conversion) == [3]
    assert demo.convert_inputs(raw, ["3.0"], state, conversion) == ["3.0"]
    # postprocess=False: the value goes out as returned; a State output is still kept.
    assert demo.finish_outputs(raw, ("not a number", 7), state, conversion) == [
        "not a number", None]
    assert state[memory.id] == 7
