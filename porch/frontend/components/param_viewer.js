// ParamViewer (twin of porch/components/param_viewer.py): one row per parameter, opening to
// its description. Names, types and defaults are text; descriptions go through the Markdown
// DOM renderer, never innerHTML.

import { renderMarkdown } from "../markdown.js";

const anchorId = (prefix, name) => `${prefix ? `${prefix}-` : ""}param-${String(name).replace(/[^A-Za-z0-9_-]/g, "-")}`;

export function paramviewer(el, props, emit) {
  const header = el.appendChild(document.createElement("h4"));
  header.className = "porch-paramviewer-header";
  const list = el.appendChild(document.createElement("div"));
  list.className = "porch-paramviewer";
  list.setAttribute("role", "list");
  let current = props;

  function render(next) {
    header.textContent = next.header ?? "";
    header.hidden = !next.header;
    const h = next.max_height;
    list.style.maxHeight = h == null ? "" : typeof h === "number" ? `${h}px` : String(h);
    list.replaceChildren();
    const value = next.value && typeof next.value === "object" ? next.value : {};
    const prefix = typeof next.anchor_links === "string" ? next.anchor_links : "";
    for (const [name, spec] of Object.entries(value)) {
      const item = list.appendChild(document.createElement("details"));
      item.className = "porch-paramviewer-item";
      item.setAttribute("role", "listitem");
      if (next.anchor_links) item.id = anchorId(prefix, name);
      const summary = item.appendChild(document.createElement("summary"));
      const code = summary.appendChild(document.createElement("code"));
      code.className = "porch-paramviewer-name";
      code.textContent = name;
      if (spec?.type != null) {
        const type = summary.appendChild(document.createElement("code"));
        type.className = "porch-paramviewer-type";
        type.textContent = `: ${spec.type}`;
      }
      if (next.anchor_links) {
        const link = summary.appendChild(document.createElement("a"));
        link.className = "porch-paramviewer-anchor";
        link.href = `#${item.id}`;
        link.textContent = "#";
        link.setAttribute("aria-label", `link to ${name}`);
      }
      const body = item.appendChild(document.createElement("div"));
      body.className = "porch-paramviewer-body";
      if (spec?.default != null) {
        const def = body.appendChild(document.createElement("div"));
        def.className = "porch-paramviewer-default";
        def.append("default ");
        def.appendChild(document.createElement("code")).textContent = `= ${spec.default}`;
      }
      if (spec?.description) {
        const text = body.appendChild(document.createElement("div"));
        text.className = "porch-paramviewer-description";
        text.append(renderMarkdown(String(spec.description)));
      }
    }
  }
  render(props);

  return {
    update(next) {
      const changed = next.value !== current.value;
      current = next;
      render(next);
      if (changed) emit("change");
    },
    value() { return current.value ?? null; },
  };
}
