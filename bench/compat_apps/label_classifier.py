import porch as gr


def classify(text):
    words = text.lower().split()
    positive = sum(w in {"good", "great", "love", "nice"} for w in words)
    negative = sum(w in {"bad", "awful", "hate", "poor"} for w in words)
    total = positive + negative or 1
    return {"positive": positive / total, "negative": negative / total}


demo = gr.Interface(classify, gr.Textbox(label="Review"), gr.Label(num_top_classes=2))

if __name__ == "__main__":
    demo.launch()
