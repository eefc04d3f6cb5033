import porch as gr


def welcome(name):
    return f"Welcome to porch, {name}!"


with gr.Blocks() as demo:
    gr.Markdown("# Hello\nStart typing below and then click **Run** to see the output.")
    with gr.Row():
        inp = gr.Textbox(placeholder="What is your name?")
        out = gr.Textbox()
    length = gr.Number(label="Length")
    btn = gr.Button("Run")
    btn.click(fn=welcome, inputs=inp, outputs=out).then(lambda s: len(s), out, length)
    inp.submit(welcome, inp, out)
    inp.change(lambda s: len(s or ""), inp, length, api_name="count")

if __name__ == "__main__":
    demo.launch()
