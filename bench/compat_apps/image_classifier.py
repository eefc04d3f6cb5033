import porch as gr

LABELS = ["bright", "dark", "colourful"]


def predict(inp):
    # A stand-in for a model: classify by the image's mean brightness and saturation.
    small = inp.convert("RGB").resize((16, 16))
    pixels = list(small.getdata())
    brightness = sum(sum(p) for p in pixels) / (len(pixels) * 765)
    spread = sum(max(p) - min(p) for p in pixels) / (len(pixels) * 255)
    scores = [brightness, 1 - brightness, spread]
    total = sum(scores) or 1
    return {label: score / total for label, score in zip(LABELS, scores)}


demo = gr.Interface(fn=predict, inputs=gr.Image(type="pil"), outputs=gr.Label(num_top_classes=3))

if __name__ == "__main__":
    demo.launch()
