import porch as gr

with gr.Blocks() as demo:
    count = gr.State(0)
    out = gr.Number(label="Clicks")
    btn = gr.Button("Click me")

    def increment(n):
        n = n + 1
        return n, n

    btn.click(increment, inputs=count, outputs=[count, out])

if __name__ == "__main__":
    demo.launch()
