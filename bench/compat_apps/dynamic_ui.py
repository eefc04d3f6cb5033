import porch as gr


def greet(name, request: gr.Request):
    who = request.username or "guest"
    return f"Hi {name} (as {who})"


def show_details(show):
    return gr.update(visible=show)


def pick(evt: gr.SelectData):
    return f"You picked {evt.value}"


with gr.Blocks(theme=gr.themes.Soft(primary_hue="blue")) as demo:
    with gr.Sidebar():
        gr.Markdown("## Options")
        show = gr.Checkbox(label="Show details", value=True)
    name = gr.Textbox(label="Name")
    greeting = gr.Textbox(label="Greeting")
    go = gr.Button("Greet")
    gr.on(triggers=[name.submit, go.click], fn=greet, inputs=name, outputs=greeting)
    with gr.Column() as details:
        fruit = gr.Radio(["apple", "pear"], label="Fruit")
        picked = gr.Textbox(label="Picked")
    show.change(show_details, show, details)
    fruit.select(pick, None, picked)
    count = gr.Slider(1, 5, value=2, step=1, label="Boxes")

    @gr.render(inputs=count)
    def boxes(n):
        for i in range(int(n)):
            gr.Textbox(label=f"Box {i + 1}", key=f"box-{i}")

if __name__ == "__main__":
    demo.launch()
