"""A to-do list kept per user, with its tests beside it (test_app.py, run with pytest)."""

from collections.abc import Iterator

import porch as gr


def add(item: str, items: list[str]) -> tuple[str, list[str]]:
    item = item.strip()
    if not item:
        raise gr.Error("Type something to add.", title="Nothing to add")
    if item in items:
        gr.Warning(f"{item} is already on the list.")
        return "", items
    gr.Info(f"Added {item}.")
    return "", [*items, item]


def listing(items: list[str]) -> str:
    return "\n".join(f"- {item}" for item in items) or "Nothing to do."


def work_through(items: list[str]) -> Iterator[str]:
    for done, item in enumerate(items, start=1):
        yield f"{done}/{len(items)}: {item}"


with gr.Blocks(title="To-do") as demo:
    items = gr.State([])
    item = gr.Textbox(label="New item", placeholder="milk")
    add_button = gr.Button("Add")
    shown = gr.Markdown("Nothing to do.", elem_id="listing")
    progress = gr.Textbox(label="Progress")
    work = gr.Button("Work through them")
    clear = gr.Button("Clear", visible=False)

    for added in (add_button.click(add, [item, items], [item, items]),
                  item.submit(add, [item, items], [item, items])):
        added.then(listing, items, shown).then(
            lambda items: gr.update(visible=bool(items)), items, clear)
    work.click(work_through, items, progress)
    clear.click(lambda: [], None, items).then(listing, items, shown).then(
        lambda: gr.update(visible=False), None, clear)
    demo.load(lambda: "Add something to start.", None, progress)

if __name__ == "__main__":
    demo.launch()
