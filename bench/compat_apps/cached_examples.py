import porch as gr


def fake_translate(text, language):
    return f"[{language}] {text[::-1]}"


demo = gr.Interface(
    fake_translate,
    [gr.Textbox(label="Text"), gr.Dropdown(["French", "German"], value="French", label="Language")],
    gr.Textbox(label="Translation"),
    examples=[["Hello world", "French"], ["Good morning", "German"]],
    cache_examples=True,
)

if __name__ == "__main__":
    demo.launch()
