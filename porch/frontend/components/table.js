// Table components: dataframe (twin of porch/components/table.py).
//
// The value ({headers, data, metadata}) is the truth; the table draws its first rows (a huge
// output must not freeze the page). Interactive tables edit cells in place, and add rows and
// columns when their counts are "dynamic". Cells are app data: text and .value only.

import { uid } from "./base.js";

const MAX_ROWS = 1000;

const asTable = (value) => {
  const v = value && typeof value === "object" ? value : {};
  return {
    headers: Array.isArray(v.headers) ? v.headers.map(String) : [],
    data: Array.isArray(v.data) ? v.data.map((row) => (Array.isArray(row) ? [...row] : [row])) : [],
  };
};
const text = (cell) => (cell == null ? "" : typeof cell === "object" ? JSON.stringify(cell) : String(cell));
const kinds = (props, width) => {
  const d = props.datatype;
  return Array.from({ length: width }, (_, i) => (Array.isArray(d) ? d[i] ?? "str" : d ?? "str"));
};

/** A typed cell from what the visitor typed, by the column's datatype. */
function parse(raw, kind) {
  if (kind === "number") {
    if (raw.trim() === "") return null;
    const n = Number(raw);
    return Number.isFinite(n) ? n : raw;
  }
  if (kind === "bool") return /^(true|1|yes)$/i.test(raw.trim());
  return raw;
}

export function dataframe(el, props, emit) {
  const id = uid("dataframe");
  const label = el.appendChild(document.createElement("div"));
  label.className = "porch-label";
  label.id = `${id}-label`;
  const scroller = el.appendChild(document.createElement("div"));
  scroller.className = "porch-table-scroll";
  const table = scroller.appendChild(document.createElement("table"));
  table.className = "porch-dataframe";
  table.setAttribute("aria-labelledby", label.id);
  const head = table.appendChild(document.createElement("thead"));
  const body = table.appendChild(document.createElement("tbody"));
  const note = el.appendChild(document.createElement("div"));
  note.className = "porch-info";
  const tools = el.appendChild(document.createElement("div"));
  tools.className = "porch-table-tools";
  const addRow = tools.appendChild(document.createElement("button"));
  addRow.type = "button";
  addRow.className = "porch-clear";
  addRow.textContent = "Add row";
  const addColumn = tools.appendChild(document.createElement("button"));
  addColumn.type = "button";
  addColumn.className = "porch-clear";
  addColumn.textContent = "Add column";
  let current = props;
  let model = asTable(props.value);
  let shown = null;

  const editable = () => current.interactive !== false;
  const width = () => Math.max(model.headers.length, ...model.data.map((r) => r.length), 0);
  const dynamic = (count) => !Array.isArray(count) || count[1] !== "fixed";
  const isStatic = (c) => Array.isArray(current.static_columns) && current.static_columns.includes(c);

  function cell(r, c, types) {
    const td = document.createElement("td");
    const value = model.data[r][c];
    if (types[c] === "number") td.classList.add("porch-cell-number");
    if (editable() && !isStatic(c)) {
      const input = td.appendChild(document.createElement("input"));
      input.className = "porch-cell";
      input.value = text(value);
      input.setAttribute("aria-label", `${model.headers[c] ?? c + 1}, row ${r + 1}`);
      input.addEventListener("input", () => {
        model.data[r][c] = parse(input.value, types[c]);
        shown = keyOf(); // typing must not redraw (and blur) the table
        emit("input");
        emit("change");
      });
      input.addEventListener("change", () => emit("edit", { index: [r, c], value: model.data[r][c], previous_value: value }));
      input.addEventListener("focus", () => select(r, c));
    } else {
      td.textContent = text(value);
      td.addEventListener("click", () => select(r, c));
    }
    return td;
  }

  function select(r, c) {
    emit("select", {
      index: [r, c], value: model.data[r]?.[c] ?? null, row_value: model.data[r] ?? [],
      col_value: model.data.map((row) => row[c] ?? null), selected: true,
    });
  }

  const keyOf = () => JSON.stringify([model, editable(), current.datatype, current.static_columns, current.show_row_numbers]);

  function draw() {
    const w = width();
    while (model.headers.length < w) model.headers.push(String(model.headers.length + 1));
    for (const row of model.data) while (row.length < w) row.push(null);
    if (editable() && model.data.length === 0 && w > 0) {
      // An empty input table starts with row_count blank rows to type into, as in Gradio.
      const rows = Array.isArray(current.row_count) ? Number(current.row_count[0]) || 0 : Number(current.row_count) || 0;
      for (let r = 0; r < rows; r += 1) model.data.push(Array.from({ length: w }, () => ""));
    }
    const key = keyOf();
    if (key === shown) return;
    shown = key;
    const types = kinds(current, w);
    const numbers = Boolean(current.show_row_numbers);
    const hr = document.createElement("tr");
    if (numbers) hr.appendChild(document.createElement("th")).textContent = "#";
    model.headers.forEach((h) => {
      const th = hr.appendChild(document.createElement("th"));
      th.scope = "col";
      th.textContent = h;
    });
    head.replaceChildren(hr);
    const rows = model.data.slice(0, MAX_ROWS).map((_, r) => {
      const tr = document.createElement("tr");
      if (numbers) tr.appendChild(document.createElement("th")).textContent = String(r + 1);
      for (let c = 0; c < w; c += 1) tr.appendChild(cell(r, c, types));
      return tr;
    });
    body.replaceChildren(...rows);
    note.textContent = model.data.length > MAX_ROWS ? `Showing the first ${MAX_ROWS} of ${model.data.length} rows.` : "";
    note.hidden = note.textContent === "";
  }

  function render(next) {
    const name = next.label == null ? "" : String(next.label);
    label.textContent = name || "Table";
    label.hidden = next.show_label === false || !name;
    scroller.style.maxHeight = next.max_height ? `${Number(next.max_height) || 500}px` : "";
    table.classList.toggle("porch-wrap", Boolean(next.wrap));
    const on = next.interactive !== false;
    addRow.hidden = !on || !dynamic(next.row_count);
    addColumn.hidden = !on || !dynamic(next.col_count);
    tools.hidden = addRow.hidden && addColumn.hidden;
  }

  addRow.addEventListener("click", () => {
    model.data.push(Array.from({ length: width() }, () => null));
    draw();
    emit("input");
    emit("change");
    body.lastElementChild?.querySelector("input")?.focus();
  });
  addColumn.addEventListener("click", () => {
    model.headers.push(String(model.headers.length + 1));
    for (const row of model.data) row.push(null);
    draw();
    emit("input");
    emit("change");
  });

  render(props);
  draw();

  return {
    update(next) {
      current = next;
      render(next);
      const incoming = asTable(next.value);
      const changed = JSON.stringify(incoming) !== JSON.stringify(model);
      if (changed) model = incoming;
      draw();
      if (changed) emit("change");
    },
    value() {
      return { headers: [...model.headers], data: model.data.map((row) => [...row]), metadata: null };
    },
    clear() { this.update({ ...current, value: { headers: model.headers, data: [] } }); },
  };
}
