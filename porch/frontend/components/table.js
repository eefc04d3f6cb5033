// Table components: dataframe (twin of porch/components/table.py).
//
// The value ({headers, data, metadata}) is the truth. A long table draws only the rows in view
// plus a small overscan, between two spacer rows that keep the scrollbar true to the whole
// value (a 100,000-row output must not freeze the page). Interactive tables edit cells in place,
// and add rows and columns when their counts are "dynamic". Cells are app data: text and .value.

import { uid } from "./base.js";

// Up to this many rows everything is drawn (no spacers, no scroll bookkeeping).
const WINDOW_FROM = 100;
const OVERSCAN = 10;
const DEFAULT_HEIGHT = 500; // px of scroll container when the app sets no max_height

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
  let rowHeight = 0; // measured from the first drawn row, px
  let windowed = false;
  let range = [0, 0];
  let types = [];

  const editable = () => current.interactive !== false;
  const width = () => Math.max(model.headers.length, ...model.data.map((r) => r.length), 0);
  const dynamic = (count) => !Array.isArray(count) || count[1] !== "fixed";
  const isStatic = (c) => Array.isArray(current.static_columns) && current.static_columns.includes(c);

  function cell(r, c) {
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
    types = kinds(current, w);
    const numbers = Boolean(current.show_row_numbers);
    const hr = document.createElement("tr");
    hr.setAttribute("aria-rowindex", "1");
    if (numbers) hr.appendChild(document.createElement("th")).textContent = "#";
    model.headers.forEach((h) => {
      const th = hr.appendChild(document.createElement("th"));
      th.scope = "col";
      th.textContent = h;
    });
    head.replaceChildren(hr);
    table.setAttribute("aria-rowcount", String(model.data.length + 1));
    windowed = model.data.length > WINDOW_FROM;
    scroller.classList.toggle("porch-table-windowed", windowed);
    range = [-1, -1];
    drawRows();
  }

  function row(r) {
    const tr = document.createElement("tr");
    tr.setAttribute("aria-rowindex", String(r + 2));
    if (current.show_row_numbers) tr.appendChild(document.createElement("th")).textContent = String(r + 1);
    for (let c = 0; c < types.length; c += 1) tr.appendChild(cell(r, c));
    return tr;
  }

  function spacer(px) {
    const tr = document.createElement("tr");
    tr.className = "porch-table-spacer";
    tr.setAttribute("aria-hidden", "true");
    const td = tr.appendChild(document.createElement("td"));
    td.colSpan = Math.max(types.length + (current.show_row_numbers ? 1 : 0), 1);
    td.style.height = `${px}px`; // CSSOM, not a style attribute: allowed by the CSP
    return tr;
  }

  /** The rows in view plus the overscan, from the scroll position and the row height. */
  function visible() {
    const n = model.data.length;
    if (!windowed) return [0, n];
    const h = rowHeight || 36;
    const top = Math.max(0, scroller.scrollTop - head.offsetHeight);
    const view = scroller.clientHeight || DEFAULT_HEIGHT;
    const start = Math.max(0, Math.floor(top / h) - OVERSCAN);
    return [start, Math.min(n, Math.floor(top / h) + Math.ceil(view / h) + OVERSCAN)];
  }

  function drawRows() {
    const [start, end] = visible();
    if (start === range[0] && end === range[1]) return;
    range = [start, end];
    const rows = [];
    for (let r = start; r < end; r += 1) rows.push(row(r));
    if (!windowed) {
      body.replaceChildren(...rows);
      return;
    }
    const h = rowHeight || 36;
    // Focus inside a row that stays keeps its place: rebuild only when the window moves.
    body.replaceChildren(spacer(start * h), ...rows, spacer((model.data.length - end) * h));
    if (!rowHeight && rows.length > 0 && rows[0].offsetHeight > 0) {
      rowHeight = rows[0].offsetHeight;
      range = [-1, -1];
      drawRows();
    }
  }

  scroller.addEventListener("scroll", () => { if (windowed) drawRows(); }, { passive: true });

  function render(next) {
    const name = next.label == null ? "" : String(next.label);
    label.textContent = name || "Table";
    label.hidden = next.show_label === false || !name;
    scroller.style.maxHeight = next.max_height ? `${Number(next.max_height) || DEFAULT_HEIGHT}px` : "";
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
    if (windowed) {
      scroller.scrollTop = scroller.scrollHeight;
      drawRows();
    }
    body.querySelector(`tr[aria-rowindex="${model.data.length + 1}"] input`)?.focus();
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
