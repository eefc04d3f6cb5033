import porch as gr


def count_files(message, history):
    num_files = len(message["files"])
    return f"You uploaded {num_files} files and said: {message['text']}"


demo = gr.ChatInterface(fn=count_files, type="messages", multimodal=True,
                        textbox=gr.MultimodalTextbox(file_count="multiple"))

if __name__ == "__main__":
    demo.launch()
