import porch as gr


def image_caption(text, temperature):
    return f"A caption for {text!r} at temperature {temperature}"


demo = gr.Interface(
    image_caption,
    [gr.Textbox(label="Prompt"), gr.Slider(0, 1, value=0.7, label="Temperature")],
    gr.Textbox(label="Caption"),
    flagging_mode="manual",
    flagging_options=["wrong", "offensive", "other"],
)

if __name__ == "__main__":
    demo.launch()
