"""Bar, line and scatter plots of a DataFrame, drawn in the page as SVG (no chart library).

Move the slider: the function returns a new DataFrame and all three plots redraw. Hover a
mark for its values; click a bar to send its x value back to Python.
"""

import math

import pandas as pd

import porch as gr


def weather(days: float) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    n = int(days)
    start = pd.Timestamp("2024-06-01")
    daily = pd.DataFrame({
        "day": [start + pd.Timedelta(days=i) for i in range(n)],
        "city": ["Oslo" if i % 2 else "Rome" for i in range(n)],
        "temp": [round(18 + 8 * math.sin(i / 3) + (6 if i % 2 == 0 else 0), 1) for i in range(n)],
        "rain": [round(abs(math.cos(i)) * 12, 1) for i in range(n)],
    })
    return daily, daily, daily


with gr.Blocks(title="Native plots") as demo:
    days = gr.Slider(4, 30, value=14, step=1, label="days")
    with gr.Row():
        rain = gr.BarPlot(x="city", y="rain", y_aggregate="sum", color="city",
                          title="Rain per city (mm)", elem_id="rain")
        temps = gr.LinePlot(x="day", y="temp", color="city", title="Temperature",
                            x_label_angle=30, elem_id="temps")
    scatter = gr.ScatterPlot(x="temp", y="rain", color="city", tooltip="all",
                             title="Rain against temperature", elem_id="scatter")
    picked = gr.Textbox(label="clicked bar")

    def clicked(evt: gr.SelectData) -> str:
        return f"{evt.value[0]}"

    rain.select(clicked, None, picked)
    days.change(weather, days, [rain, temps, scatter])
    demo.load(weather, days, [rain, temps, scatter])

if __name__ == "__main__":
    demo.launch()
