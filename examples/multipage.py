"""A two-page app with deep links: python examples/multipage.py, then open /settings?steps=30."""

import porch as gr

with gr.Blocks(title="Multipage") as demo:
    gr.Markdown("# Home")
    name = gr.Textbox(label="Name", elem_id="name")
    greeting = gr.Textbox(label="Greeting")
    name.change(lambda n: f"Hello {n}!" if n else "", name, greeting)

with demo.route("Settings"):
    steps = gr.Slider(1, 50, value=10, step=1, label="Steps", elem_id="steps")
    model = gr.Dropdown(["small", "large"], value="small", label="Model", elem_id="model")
    summary = gr.Textbox(label="Summary")
    gr.Button("Summarise").click(lambda s, m: f"{m} model, {int(s)} steps", [steps, model],
                                 summary)

if __name__ == "__main__":
    demo.launch()
