"""A layout-heavy Blocks app: tabs, rows and columns, an accordion, and events that show,
hide and relabel parts of the page."""

import porch as gr


def greet(name: str, greeting: str, excited: bool) -> str:
    return f"{greeting}, {name or 'stranger'}{'!' if excited else '.'}"


def toggle_advanced(show: bool) -> dict:
    return gr.update(visible=show)


def describe(level: float) -> dict:
    return gr.update(value=f"Level {int(level)} of 10", label=f"Note (level {int(level)})")


with gr.Blocks(title="Layouts") as demo:
    gr.Markdown("# Layout demo\nTabs, columns, an accordion, and events that change the page.")
    with gr.Tabs():
        with gr.Tab("Greeting"):
            with gr.Row():
                with gr.Column(scale=2):
                    name = gr.Textbox(label="Name", placeholder="Your name")
                    greeting = gr.Dropdown(["Hello", "Hi", "Good day"], value="Hello",
                                           label="Greeting")
                    excited = gr.Checkbox(label="Excited")
                    go = gr.Button("Greet", variant="primary")
                with gr.Column(scale=1):
                    result = gr.Textbox(label="Result")
            go.click(greet, [name, greeting, excited], result)
        with gr.Tab("Settings"):
            show = gr.Checkbox(value=True, label="Show advanced options")
            with gr.Column(visible=True) as advanced:
                level = gr.Slider(0, 10, value=5, step=1, label="Level")
                note = gr.Textbox(label="Note", interactive=False)
            with gr.Accordion("About", open=False):
                gr.Markdown("The options above hide when the box is unticked.")
            show.change(toggle_advanced, show, advanced)
            level.change(describe, level, note)

if __name__ == "__main__":
    demo.launch()
