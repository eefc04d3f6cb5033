import porch as gr


def diff_words(text):
    return [(word, "long" if len(word) > 5 else None) for word in text.split()]


demo = gr.Interface(diff_words, gr.Textbox(value="porch serves exactly granted files"),
                    gr.HighlightedText(label="Long words", combine_adjacent=True))

if __name__ == "__main__":
    demo.launch()
