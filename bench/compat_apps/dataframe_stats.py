import pandas as pd

import porch as gr


def describe(df):
    numeric = df.apply(pd.to_numeric, errors="coerce")
    return numeric.describe().reset_index()


demo = gr.Interface(
    describe,
    gr.Dataframe(headers=["a", "b"], value=[[1, 2], [3, 4]], label="Numbers"),
    gr.Dataframe(label="Summary"),
)

if __name__ == "__main__":
    demo.launch()
