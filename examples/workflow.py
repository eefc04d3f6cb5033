import porch as gr

def clean(text: str) -> str:
    return " ".join(text.split())

def shout(text: str, times: int) -> str:
    return (text.upper() + "! ") * int(times)

demo = gr.Workflow(bind=[clean, shout], edges=[("clean", "shout.text")])
if __name__ == "__main__":
    demo.launch()
