// FileExplorer (twin of porch/components/file_explorer.py): a tree of one folder the app
// chose. Folders open on demand (the component's `ls` server function); files are checked
// to choose them. The value is a list of paths, each a list of names under the root.

import { field, uid } from "./base.js";
import { callServer } from "./server_fn.js";

const key = (segments) => JSON.stringify(segments);

export function fileexplorer(el, props, emit) {
  const id = uid("fileexplorer");
  const tree = document.createElement("ul");
  tree.id = id;
  tree.className = "porch-file-tree";
  tree.setAttribute("role", "tree");
  const label = field(el, props, id, "file explorer");
  el.append(tree);
  let current = props;
  let chosen = new Map((props.value ?? []).map((s) => [key(s), s]));

  function choose(segments, on) {
    if (current.file_count === "single") chosen = new Map();
    if (on) chosen.set(key(segments), segments);
    else chosen.delete(key(segments));
    for (const box of tree.querySelectorAll("input[type=checkbox]")) {
      box.checked = chosen.has(box.dataset.path);
    }
    emit("input");
    emit("change");
  }

  async function fill(list, segments) {
    let entries = [];
    try {
      entries = await callServer(current.component_id, "ls", segments);
    } catch {
      entries = [];
    }
    list.replaceChildren();
    for (const entry of entries) {
      const path = [...segments, entry.name];
      const item = list.appendChild(document.createElement("li"));
      item.setAttribute("role", "treeitem");
      if (entry.type === "folder") {
        const toggle = item.appendChild(document.createElement("button"));
        toggle.type = "button";
        toggle.className = "porch-tree-folder";
        toggle.textContent = `▸ ${entry.name}`;
        toggle.setAttribute("aria-expanded", "false");
        const children = item.appendChild(document.createElement("ul"));
        children.hidden = true;
        toggle.addEventListener("click", async () => {
          const open = toggle.getAttribute("aria-expanded") !== "true";
          toggle.setAttribute("aria-expanded", String(open));
          toggle.textContent = `${open ? "▾" : "▸"} ${entry.name}`;
          children.hidden = !open;
          if (open && !children.childElementCount) await fill(children, path);
        });
      } else {
        const box = document.createElement("input");
        box.type = "checkbox";
        box.id = uid("file");
        box.dataset.path = key(path);
        box.checked = chosen.has(box.dataset.path);
        box.disabled = current.interactive === false;
        box.addEventListener("change", () => choose(path, box.checked));
        const name = document.createElement("label");
        name.htmlFor = box.id;
        name.textContent = entry.name;
        item.append(box, name);
      }
    }
  }

  function render(next) {
    label.update(next, tree);
    tree.style.maxHeight = next.max_height == null ? "" : `${Number(next.max_height) || 500}px`;
  }
  render(props);
  fill(tree, []);

  return {
    update(next) {
      current = next;
      render(next);
      chosen = new Map((next.value ?? []).map((s) => [key(s), s]));
      for (const box of tree.querySelectorAll("input[type=checkbox]")) {
        box.checked = chosen.has(box.dataset.path);
      }
    },
    value() {
      return [...chosen.values()];
    },
  };
}
