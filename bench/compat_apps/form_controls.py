import porch as gr


def order(size, toppings, delivery, notes):
    return {"size": size, "toppings": toppings, "delivery": delivery, "notes": notes}


with gr.Blocks() as demo:
    with gr.Row():
        with gr.Column():
            size = gr.Dropdown(["small", "medium", "large"], value="medium", label="Size")
            toppings = gr.CheckboxGroup(["cheese", "olives", "basil"], label="Toppings")
            delivery = gr.Radio(["pickup", "delivery"], value="pickup", label="How")
            notes = gr.Textbox(label="Notes")
            submit = gr.Button("Order", variant="primary")
        with gr.Column():
            summary = gr.JSON(label="Order")
    submit.click(order, [size, toppings, delivery, notes], summary, api_name="order")

if __name__ == "__main__":
    demo.launch()
