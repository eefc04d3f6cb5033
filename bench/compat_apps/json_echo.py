import porch as gr


def add_count(data):
    data = dict(data or {})
    data["keys"] = len(data)
    return data


demo = gr.Interface(add_count, gr.JSON(), gr.JSON())

if __name__ == "__main__":
    demo.launch()
