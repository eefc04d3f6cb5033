// BarPlot, LinePlot, ScatterPlot (twin of porch/components/native_plots.py): PlotData drawn
// as SVG by hand, with no chart library. The value is {columns, data, datatypes, mark}; the
// props name the columns (x, y, color) and the options (x_bin, y_aggregate, sort, limits...).
// Every text lands in the DOM as textContent, never as markup.

const SVG = "http://www.w3.org/2000/svg";
const PALETTE = ["#4c78a8", "#f58518", "#e45756", "#72b7b2", "#54a24b", "#eeca3b", "#b279a2",
  "#ff9da6", "#9d755d", "#bab0ac"];
const UNIT_MS = { s: 1e3, m: 6e4, h: 36e5, d: 864e5, w: 6048e5 };
const WIDTH = 640;
const MARGIN = { top: 16, right: 16, bottom: 44, left: 56 };

function node(tag, attrs = {}, parent = null) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (parent) parent.appendChild(el);
  return el;
}

/** A bin width in the x column's units: a number, or "10s" / "5m" / "1h" / "1d" for time. */
function binWidth(bin) {
  if (typeof bin === "number" && bin > 0) return bin;
  const m = typeof bin === "string" ? /^(\d+(?:\.\d+)?)\s*([smhdw])$/.exec(bin.trim()) : null;
  return m ? Number(m[1]) * UNIT_MS[m[2]] : null;
}

const AGGREGATE = {
  sum: (v) => v.reduce((a, b) => a + b, 0),
  mean: (v) => v.reduce((a, b) => a + b, 0) / v.length,
  median: (v) => {
    const s = [...v].sort((a, b) => a - b);
    const h = Math.floor(s.length / 2);
    return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
  },
  min: (v) => Math.min(...v),
  max: (v) => Math.max(...v),
  count: (v) => v.length,
};

/** Rows as {x, y, color, row} after binning and aggregation (grouped by x and color). */
export function points(value, props) {
  const cols = value.columns;
  const xName = props.x ?? cols[0];
  const yName = props.y ?? cols[1];
  const at = (name) => cols.indexOf(name);
  const xi = at(xName), yi = at(yName), ci = props.color ? at(props.color) : -1;
  let rows = value.data.filter((r) => r[xi] != null && r[yi] != null).map((r) => ({
    x: r[xi], y: Number(r[yi]), color: ci >= 0 ? r[ci] : null, row: r }));
  const width = binWidth(props.x_bin);
  if (width && value.datatypes[xName] !== "nominal") {
    rows = rows.map((p) => ({ ...p, x: Math.floor(p.x / width) * width, x_end: Math.floor(p.x / width) * width + width }));
  }
  const aggregate = props.y_aggregate ?? (props.mark === "bar" || width ? "sum" : null);
  if (!aggregate || !(aggregate in AGGREGATE)) return rows;
  const groups = new Map();
  for (const p of rows) {
    const k = JSON.stringify([p.x, p.color]);
    if (!groups.has(k)) groups.set(k, { ...p, ys: [] });
    groups.get(k).ys.push(p.y);
  }
  return [...groups.values()].map((g) => ({ ...g, y: AGGREGATE[aggregate](g.ys) }));
}

function niceTicks(lo, hi, count = 5) {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const ticks = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(+t.toPrecision(12));
  return ticks;
}

function formatValue(v, type) {
  if (v == null) return "";
  if (type === "temporal") return new Date(v).toISOString().replace("T", " ").replace(/(:00)?\.000Z$/, "");
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : String(+v.toPrecision(6));
  return String(v);
}

/** A linear scale over [lo, hi] (widened a little when flat, limits from *_lim win). */
function linear(values, lim, range, zero) {
  let lo = Math.min(...values), hi = Math.max(...values);
  if (zero) { lo = Math.min(lo, 0); hi = Math.max(hi, 0); }
  if (Array.isArray(lim)) { if (lim[0] != null) lo = lim[0]; if (lim[1] != null) hi = lim[1]; }
  if (!(hi > lo)) { lo -= 1; hi += 1; }
  const map = (v) => range[0] + ((v - lo) / (hi - lo)) * (range[1] - range[0]);
  return { lo, hi, map, ticks: niceTicks(lo, hi), inside: (v) => v >= lo && v <= hi };
}

function colorScale(pts, props, type) {
  const map = props.color_map ?? {};
  if (type === "quantitative") {
    const vs = pts.map((p) => Number(p.color));
    const lo = Math.min(...vs), hi = Math.max(...vs);
    return { of: (c) => `hsl(210 60% ${80 - (hi > lo ? (Number(c) - lo) / (hi - lo) : 0.5) * 50}%)`, legend: [] };
  }
  const names = [...new Set(pts.map((p) => String(p.color)))];
  const of = (c) => map[String(c)] ?? PALETTE[names.indexOf(String(c)) % PALETTE.length];
  const shown = Array.isArray(props.colors_in_legend) ? names.filter((n) => props.colors_in_legend.includes(n)) : names;
  return { of, legend: shown };
}

function sortPoints(pts, sort) {
  const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
  if (sort === "x") pts.sort((a, b) => cmp(a.x, b.x));
  else if (sort === "-x") pts.sort((a, b) => cmp(b.x, a.x));
  else if (sort === "y") pts.sort((a, b) => a.y - b.y);
  else if (sort === "-y") pts.sort((a, b) => b.y - a.y);
  else if (Array.isArray(sort)) pts.sort((a, b) => sort.indexOf(a.x) - sort.indexOf(b.x));
  return pts;
}

function tooltipLines(p, value, props) {
  const t = props.tooltip ?? "axis";
  if (t === "none") return [];
  const cols = value.columns;
  const xName = props.x ?? cols[0], yName = props.y ?? cols[1];
  if (t === "all" || Array.isArray(t)) {
    const names = t === "all" ? cols : t;
    return names.filter((n) => cols.includes(n)).map((n) => `${n}: ${formatValue(p.row[cols.indexOf(n)], value.datatypes[n])}`);
  }
  const lines = [`${xName}: ${formatValue(p.x, value.datatypes[xName])}`, `${yName}: ${formatValue(p.y, "quantitative")}`];
  if (props.color) lines.push(`${props.color}: ${formatValue(p.color, value.datatypes[props.color])}`);
  return lines;
}

/** The y values the scale must hold: bars of several colors at one x stack, so their totals. */
function yExtent(pts, mark, color) {
  if (mark !== "bar" || !color) return pts.map((p) => p.y);
  const up = new Map(), down = new Map();
  for (const p of pts) {
    const side = p.y >= 0 ? up : down;
    side.set(p.x, (side.get(p.x) ?? 0) + p.y);
  }
  return [...up.values(), ...down.values(), 0];
}

function draw(svgBox, legendBox, tip, value, props, emit) {
  svgBox.replaceChildren();
  legendBox.replaceChildren();
  const height = Number(props.height) || 320;
  const svg = node("svg", { viewBox: `0 0 ${WIDTH} ${height}`, class: "porch-nativeplot-svg", role: "img" }, svgBox);
  svg.setAttribute("aria-label", props.title || props.label || "plot");
  const mark = value.mark && value.mark !== "native" ? value.mark : props.mark;
  const cfg = { ...props, mark };
  const xName = props.x ?? value.columns[0], yName = props.y ?? value.columns[1];
  const xType = value.datatypes[xName] ?? "quantitative";
  const pts = sortPoints(points(value, cfg), props.sort ?? (mark === "line" ? "x" : null));
  const plotW = [MARGIN.left, WIDTH - MARGIN.right], plotH = [height - MARGIN.bottom, MARGIN.top];
  const axes = node("g", { class: "porch-nativeplot-axes" }, svg);
  const marks = node("g", { class: "porch-nativeplot-marks" }, svg);
  if (!pts.length) return;
  let xPos, band = 0, xTicks;
  const nominalX = xType === "nominal" || (mark === "bar" && !binWidth(props.x_bin));
  if (nominalX) {
    const cats = [...new Set(pts.map((p) => p.x))];
    band = (plotW[1] - plotW[0]) / cats.length;
    xPos = (v) => plotW[0] + cats.indexOf(v) * band;
    xTicks = cats.map((c) => [xPos(c) + band / 2, formatValue(c, xType)]);
  } else {
    const x = linear(pts.flatMap((p) => (p.x_end != null ? [p.x, p.x_end] : [p.x])), props.x_lim, plotW, false);
    xPos = x.map;
    xTicks = x.ticks.map((t) => [x.map(t), formatValue(t, xType)]);
    if (Array.isArray(props.x_lim)) for (let i = pts.length - 1; i >= 0; i -= 1) if (!x.inside(pts[i].x)) pts.splice(i, 1);
  }
  const y = linear(yExtent(pts, mark, props.color), props.y_lim, plotH, mark === "bar");
  if (Array.isArray(props.y_lim)) for (let i = pts.length - 1; i >= 0; i -= 1) if (!y.inside(pts[i].y)) pts.splice(i, 1);
  // axes and gridlines
  node("line", { x1: plotW[0], x2: plotW[1], y1: plotH[0], y2: plotH[0], class: "porch-nativeplot-axis" }, axes);
  node("line", { x1: plotW[0], x2: plotW[0], y1: plotH[0], y2: plotH[1], class: "porch-nativeplot-axis" }, axes);
  for (const t of y.ticks) {
    const py = y.map(t);
    node("line", { x1: plotW[0], x2: plotW[1], y1: py, y2: py, class: "porch-nativeplot-grid" }, axes);
    const label = node("text", { x: plotW[0] - 6, y: py + 4, "text-anchor": "end", class: "porch-nativeplot-tick porch-nativeplot-ytick" }, axes);
    if (props.y_label_angle) label.setAttribute("transform", `rotate(${-props.y_label_angle} ${plotW[0] - 6} ${py})`);
    label.textContent = formatValue(t, "quantitative");
  }
  if (props.x_axis_labels_visible !== false && props.x_axis_labels_visible !== "hidden") {
    for (const [px, text] of xTicks) {
      const label = node("text", { x: px, y: plotH[0] + 16, "text-anchor": props.x_label_angle ? "end" : "middle", class: "porch-nativeplot-tick porch-nativeplot-xtick" }, axes);
      if (props.x_label_angle) label.setAttribute("transform", `rotate(${-props.x_label_angle} ${px} ${plotH[0] + 16})`);
      label.textContent = text;
    }
  }
  const xTitle = node("text", { x: (plotW[0] + plotW[1]) / 2, y: height - 6, "text-anchor": "middle", class: "porch-nativeplot-title-x" }, axes);
  xTitle.textContent = props.x_title ?? xName;
  const yTitle = node("text", { x: 14, y: (plotH[0] + plotH[1]) / 2, "text-anchor": "middle", transform: `rotate(-90 14 ${(plotH[0] + plotH[1]) / 2})`, class: "porch-nativeplot-title-y" }, axes);
  yTitle.textContent = props.y_title ?? (props.y_aggregate && props.y_aggregate !== "sum" ? `${props.y_aggregate} of ${yName}` : yName);
  // marks
  const colorType = props.color ? value.datatypes[props.color] : null;
  const colors = props.color ? colorScale(pts, props, colorType) : { of: () => PALETTE[0], legend: [] };
  const show = (p, evt) => {
    const lines = tooltipLines(p, value, props);
    if (!lines.length) return;
    tip.replaceChildren(...lines.map((l) => Object.assign(document.createElement("div"), { textContent: l })));
    tip.hidden = false;
    const box = svgBox.getBoundingClientRect();
    tip.style.left = `${evt.clientX - box.left + 12}px`;
    tip.style.top = `${evt.clientY - box.top + 12}px`;
  };
  const wire = (el, p) => {
    el.addEventListener("mouseenter", (e) => show(p, e));
    el.addEventListener("mousemove", (e) => show(p, e));
    el.addEventListener("mouseleave", () => { tip.hidden = true; });
    el.addEventListener("click", () => emit("select", { index: [p.x, p.x_end ?? p.x], value: [p.x, p.x_end ?? p.x], selected: true }));
  };
  if (mark === "bar") {
    const series = props.color ? [...new Set(pts.map((p) => String(p.color)))] : [null];
    const stacks = new Map();
    for (const p of pts) {
      const x0 = nominalX ? xPos(p.x) + band * 0.1 : xPos(p.x) + 1;
      const w = nominalX ? band * 0.8 : Math.max(1, xPos(p.x_end ?? p.x) - xPos(p.x) - 2);
      // bars of several colors at one x stack, as Gradio's bar plots do
      const key = JSON.stringify([p.x, p.y >= 0]);
      const base = stacks.get(key) ?? 0;
      stacks.set(key, base + p.y);
      const top = y.map(Math.max(base + p.y, base)), bottom = y.map(Math.min(base + p.y, base));
      const rect = node("rect", { x: x0, y: top, width: w, height: Math.max(0, bottom - top), fill: colors.of(p.color), class: "porch-nativeplot-bar" }, marks);
      rect.dataset.series = String(series.indexOf(String(p.color)));
      wire(rect, p);
    }
  } else {
    if (mark === "line") {
      const bySeries = new Map();
      for (const p of pts) {
        const k = String(p.color);
        if (!bySeries.has(k)) bySeries.set(k, []);
        bySeries.get(k).push(p);
      }
      for (const [, ps] of bySeries) {
        const d = ps.map((p, i) => `${i ? "L" : "M"}${(nominalX ? xPos(p.x) + band / 2 : xPos(p.x)).toFixed(2)},${y.map(p.y).toFixed(2)}`).join("");
        node("path", { d, fill: "none", stroke: colors.of(ps[0].color), "stroke-width": 2, class: "porch-nativeplot-line" }, marks);
      }
    }
    for (const p of pts) {
      const cx = nominalX ? xPos(p.x) + band / 2 : xPos(p.x);
      const dot = node("circle", { cx, cy: y.map(p.y), r: mark === "line" ? 3 : 4.5, fill: colors.of(p.color), class: mark === "line" ? "porch-nativeplot-vertex" : "porch-nativeplot-point" }, marks);
      wire(dot, p);
    }
  }
  if (colors.legend.length) {
    const head = legendBox.appendChild(document.createElement("div"));
    head.className = "porch-nativeplot-legend-title";
    head.textContent = props.color_title ?? props.color;
    for (const name of colors.legend) {
      const item = legendBox.appendChild(document.createElement("span"));
      item.className = "porch-nativeplot-legend-item";
      const swatch = item.appendChild(document.createElement("span"));
      swatch.className = "porch-nativeplot-swatch";
      swatch.style.background = colors.of(name);
      item.appendChild(document.createTextNode(name));
    }
  }
  svg.addEventListener("dblclick", () => emit("double_click"));
}

function factory(mark) {
  return function nativeplot(el, props, emit) {
    const label = el.appendChild(document.createElement("div"));
    label.className = "porch-label";
    const title = el.appendChild(document.createElement("div"));
    title.className = "porch-nativeplot-title";
    const box = el.appendChild(document.createElement("div"));
    box.className = "porch-nativeplot";
    const svgBox = box.appendChild(document.createElement("div"));
    svgBox.className = "porch-nativeplot-canvas";
    const tip = svgBox.appendChild(document.createElement("div"));
    tip.className = "porch-nativeplot-tooltip";
    tip.setAttribute("role", "tooltip");
    tip.hidden = true;
    const drawing = svgBox.appendChild(document.createElement("div"));
    const legend = box.appendChild(document.createElement("div"));
    legend.className = "porch-nativeplot-legend";
    const empty = box.appendChild(document.createElement("p"));
    empty.className = "porch-empty";
    empty.textContent = "No data yet.";
    const caption = el.appendChild(document.createElement("p"));
    caption.className = "porch-nativeplot-caption";
    let current = props;

    function render(next) {
      const name = next.label == null ? "" : String(next.label);
      label.textContent = name;
      label.hidden = next.show_label === false || !name;
      title.textContent = next.title ?? "";
      title.hidden = !next.title;
      caption.textContent = next.caption ?? "";
      caption.hidden = !next.caption;
      const v = next.value;
      const ok = v && Array.isArray(v.columns) && Array.isArray(v.data) && v.data.length > 0;
      empty.hidden = Boolean(ok);
      svgBox.hidden = !ok;
      tip.hidden = true;
      if (ok) draw(drawing, legend, tip, { datatypes: {}, ...v }, { ...next, mark: next.mark ?? mark }, emit);
      else { drawing.replaceChildren(); legend.replaceChildren(); }
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
      clear() { this.update({ ...current, value: null }); },
    };
  };
}

// The config's type is "nativeplot" for all three, as in Gradio; the value's mark decides.
export const nativeplot = factory("bar");
