import porch as gr


def render(title, body):
    return f"# {title}\n\n{body}", f"<h2>{title}</h2><p>{body}</p>"


demo = gr.Interface(render, ["text", gr.Textbox(lines=4)], [gr.Markdown(), gr.HTML()])

if __name__ == "__main__":
    demo.launch()
