// WorkflowCanvas (twin of porch/components/workflow_canvas.py): a workflow graph drawn as
// cards (inputs, steps, results) joined by wires. The page edits it: drag a card by its
// title, drag from an output dot to an input dot to wire them, double-click a wire to cut
// it, add steps from the app's bound functions, type values into input cards. Every edit
// changes the value (the graph's JSON text); running and saving are the app's events.
// Where a card sits is this viewer's own choice, kept in localStorage, not in the graph.

import { heading, uid } from "./base.js";
import { callServer } from "./server_fn.js";

const SVG = "http://www.w3.org/2000/svg";
const MEDIA = new Set(["image", "audio", "video", "file", "gallery", "model3d"]);
const TYPES = ["text", "number", "boolean", "json", "markdown", "image", "audio", "video", "file"];
const COLUMN = 270;
const ROW = 170;

const portType = (node, ports) => node[ports]?.[0]?.type ?? node.asset_type ?? "text";

function parse(text) {
  try {
    const graph = typeof text === "string" && text ? JSON.parse(text) : null;
    if (graph && typeof graph === "object") {
      for (const role of ["references", "operators", "subjects", "edges"]) graph[role] ??= [];
      return graph;
    }
  } catch {
    // An unreadable value draws as an empty graph; the server says what is wrong on run.
  }
  return { schema_version: "2", name: "Workflow", references: [], operators: [], subjects: [], edges: [] };
}

const nodesOf = (graph) => [
  ...graph.references.map((n) => ({ ...n, role: "reference" })),
  ...graph.operators.map((n) => ({ ...n, role: "operator" })),
  ...graph.subjects.map((n) => ({ ...n, role: "subject" })),
];

// Columns by longest path from a node nothing feeds: the graph reads left to right.
function autoLayout(graph) {
  const depth = new Map(nodesOf(graph).map((n) => [n.id, 0]));
  for (let pass = 0; pass < depth.size; pass++) {
    let moved = false;
    for (const e of graph.edges) {
      const next = (depth.get(e.from_node_id) ?? 0) + 1;
      if (depth.has(e.to_node_id) && next > depth.get(e.to_node_id)) {
        depth.set(e.to_node_id, next);
        moved = true;
      }
    }
    if (!moved) break;
  }
  const rows = new Map();
  const at = {};
  for (const n of nodesOf(graph)) {
    const col = depth.get(n.id);
    const row = rows.get(col) ?? 0;
    rows.set(col, row + 1);
    at[n.id] = { x: 20 + col * COLUMN, y: 20 + row * ROW };
  }
  return at;
}

function valueView(type, held) {
  const box = document.createElement("div");
  box.className = "porch-wf-result";
  if (held == null || held === "") {
    box.textContent = "—";
    box.classList.add("porch-wf-empty");
    return box;
  }
  const url = typeof held === "object" ? held.url : null;
  if (MEDIA.has(type) && url) {
    const tag = { image: "img", audio: "audio", video: "video" }[type];
    if (tag) {
      const media = box.appendChild(document.createElement(tag));
      media.src = url;
      if (tag !== "img") media.controls = true;
      else media.alt = held.orig_name ?? "result";
    } else {
      const link = box.appendChild(document.createElement("a"));
      link.href = url;
      link.textContent = held.orig_name ?? "download";
      link.download = "";
    }
    return box;
  }
  box.textContent = typeof held === "string" ? held : JSON.stringify(held, null, 1);
  return box;
}

export function workflowcanvas(el, props, emit) {
  const id = uid("workflow");
  const title = heading(el, "workflow");
  const bar = el.appendChild(document.createElement("div"));
  bar.className = "porch-wf-bar";
  const board = el.appendChild(document.createElement("div"));
  board.className = "porch-wf-board";
  board.id = id;
  const wires = board.appendChild(document.createElementNS(SVG, "svg"));
  wires.classList.add("porch-wf-wires");
  let current = props;
  let graph = parse(props.value);
  const storeKey = () => `porch-workflow:${location.pathname}:${graph.name ?? ""}`;
  let at = { ...autoLayout(graph), ...JSON.parse(localStorage.getItem(storeKey()) ?? "{}") };
  let steps = [];

  const changed = () => {
    emit("change");
    draw();
  };
  const listFor = (role) => graph[`${role}s`];
  const find = (nodeId) => nodesOf(graph).find((n) => n.id === nodeId);
  const freshId = (stem) => {
    let k = 1;
    while (find(`${stem}_${k}`)) k++;
    return `${stem}_${k}`;
  };

  // ---- toolbar: add inputs, steps and results ------------------------------------------
  const stepPick = document.createElement("select");
  stepPick.setAttribute("aria-label", "Step to add");
  const addStep = button("Add step", () => {
    const step = steps.find((s) => s.fn === stepPick.value);
    if (!step) return;
    const nodeId = freshId(`fn_${step.fn}`);
    graph.operators.push({ id: nodeId, kind: "fn", fn: step.fn, label: step.label, inputs: step.inputs, outputs: step.outputs, data: {} });
    place(nodeId);
    changed();
  });
  const typePick = document.createElement("select");
  typePick.setAttribute("aria-label", "Type of the input or result to add");
  for (const t of TYPES) typePick.append(new Option(t, t));
  // An input card has one output port ("out"), a result card one input port ("in").
  const addEnd = (role) => () => {
    const nodeId = freshId(role === "reference" ? "input" : "result");
    const port = [{ id: role === "reference" ? "out" : "in", label: nodeId, type: typePick.value }];
    const [ins, outs] = role === "reference" ? [[], port] : [port, []];
    listFor(role).push({ id: nodeId, label: nodeId, asset_type: typePick.value, inputs: ins, outputs: outs, data: {} });
    place(nodeId);
    changed();
  };
  const addInput = button("Add input", addEnd("reference"));
  const addResult = button("Add result", addEnd("subject"));
  bar.append(stepPick, addStep, typePick, addInput, addResult);
  callServer(props.component_id, "list_bound_fns", null)
    .then((listed) => {
      steps = Array.isArray(listed) ? listed : [];
      for (const s of steps) stepPick.append(new Option(s.label, s.fn));
    })
    .catch(() => {
      stepPick.disabled = addStep.disabled = true; // a canvas without bound functions
    });

  function place(nodeId) {
    const xs = Object.values(at).map((p) => p.x);
    at[nodeId] = { x: 20 + (xs.length ? Math.max(...xs) + COLUMN : 0), y: 20 };
  }

  function button(text, onClick) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "porch-button porch-button-secondary porch-button-sm";
    b.textContent = text;
    b.addEventListener("click", onClick);
    return b;
  }

  // ---- cards -------------------------------------------------------------------------------
  function card(node) {
    const box = document.createElement("div");
    box.className = `porch-wf-node porch-wf-${node.role}`;
    box.dataset.node = node.id;
    const p = at[node.id] ?? { x: 20, y: 20 };
    box.style.left = `${p.x}px`;
    box.style.top = `${p.y}px`;
    const title = box.appendChild(document.createElement("div"));
    title.className = "porch-wf-title";
    const name = title.appendChild(document.createElement("span"));
    name.textContent = node.label ?? node.id;
    const kind = title.appendChild(document.createElement("small"));
    kind.textContent = node.role === "operator" ? (node.kind === "fn" ? "step" : node.kind ?? "step") : node.role === "reference" ? "input" : "result";
    const remove = title.appendChild(document.createElement("button"));
    remove.type = "button";
    remove.className = "porch-wf-remove";
    remove.textContent = "×";
    remove.setAttribute("aria-label", `Remove ${node.label ?? node.id}`);
    remove.addEventListener("click", () => {
      const list = listFor(node.role);
      list.splice(list.findIndex((n) => n.id === node.id), 1);
      graph.edges = graph.edges.filter((e) => e.from_node_id !== node.id && e.to_node_id !== node.id);
      changed();
    });
    drag(title, box, node.id);
    const ports = box.appendChild(document.createElement("div"));
    ports.className = "porch-wf-ports";
    const ins = ports.appendChild(document.createElement("div"));
    const outs = ports.appendChild(document.createElement("div"));
    outs.className = "porch-wf-outs";
    for (const port of node.inputs ?? []) ins.append(dot(node, port, "in"));
    for (const port of node.outputs ?? []) outs.append(dot(node, port, "out"));
    if (node.role === "reference") box.append(editor(node));
    if (node.role === "subject") box.append(valueView(portType(node, "inputs"), node.data?.in));
    if (node.role === "operator" && node.kind && node.kind !== "fn") {
      const note = box.appendChild(document.createElement("p"));
      note.className = "porch-wf-note";
      note.textContent = `${node.model_id ?? node.space_id ?? node.kind}: runs on a hosted service porch does not call`;
    }
    return box;
  }

  function dot(node, port, side) {
    const row = document.createElement("div");
    row.className = `porch-wf-port porch-wf-port-${side}`;
    const knob = document.createElement("span");
    knob.className = "porch-wf-dot";
    knob.dataset.node = node.id;
    knob.dataset.port = port.id;
    knob.dataset.side = side;
    knob.title = `${port.label ?? port.id} (${port.type ?? "text"})`;
    const text = document.createElement("span");
    text.textContent = port.label ?? port.id;
    if (side === "in") row.append(knob, text);
    else row.append(text, knob);
    if (side === "out") knob.addEventListener("pointerdown", (e) => wireFrom(e, node.id, port));
    return row;
  }

  function editor(node) {
    const type = portType(node, "outputs");
    const port = node.outputs?.[0]?.id ?? "out";
    node.data ??= {};
    const held = node.data[port];
    if (MEDIA.has(type)) {
      const note = document.createElement("p");
      note.className = "porch-wf-note";
      note.textContent = "A file: give it in the App tab";
      return note;
    }
    const field = document.createElement(type === "json" || type === "markdown" ? "textarea" : "input");
    field.className = "porch-wf-field";
    field.setAttribute("aria-label", node.label ?? node.id);
    if (type === "boolean") {
      field.type = "checkbox";
      field.checked = Boolean(held);
    } else {
      if (type === "number") field.type = "number";
      field.value = held == null ? "" : type === "json" ? JSON.stringify(held) : String(held);
    }
    field.addEventListener("change", () => {
      const target = graph.references.find((n) => n.id === node.id);
      if (!target) return;
      target.data ??= {};
      let next = field.value;
      if (type === "boolean") next = field.checked;
      else if (type === "number") next = field.value === "" ? null : Number(field.value);
      else if (type === "json") {
        try {
          next = field.value.trim() ? JSON.parse(field.value) : null;
          field.setCustomValidity("");
        } catch {
          field.setCustomValidity("Not valid JSON");
          field.reportValidity();
          return;
        }
      }
      target.data[port] = next;
      emit("change");
    });
    return field;
  }

  // ---- moving cards and drawing wires -----------------------------------------------------
  function drag(handle, box, nodeId) {
    handle.addEventListener("pointerdown", (e) => {
      if (e.target.closest("button")) return;
      const from = { x: e.clientX, y: e.clientY };
      const origin = { ...(at[nodeId] ?? { x: 0, y: 0 }) };
      handle.setPointerCapture(e.pointerId);
      const move = (m) => {
        at[nodeId] = { x: Math.max(0, origin.x + m.clientX - from.x), y: Math.max(0, origin.y + m.clientY - from.y) };
        box.style.left = `${at[nodeId].x}px`;
        box.style.top = `${at[nodeId].y}px`;
        drawWires();
      };
      const up = () => {
        handle.removeEventListener("pointermove", move);
        handle.removeEventListener("pointerup", up);
        localStorage.setItem(storeKey(), JSON.stringify(at));
      };
      handle.addEventListener("pointermove", move);
      handle.addEventListener("pointerup", up);
    });
  }

  function centre(nodeId, portId, side) {
    const knob = board.querySelector(`.porch-wf-dot[data-node="${CSS.escape(nodeId)}"][data-port="${CSS.escape(portId)}"][data-side="${side}"]`);
    if (!knob) return null;
    const a = knob.getBoundingClientRect();
    const b = board.getBoundingClientRect();
    return { x: a.left + a.width / 2 - b.left + board.scrollLeft, y: a.top + a.height / 2 - b.top + board.scrollTop };
  }

  const curve = (a, b) => `M${a.x},${a.y} C${a.x + 60},${a.y} ${b.x - 60},${b.y} ${b.x},${b.y}`;

  function drawWires() {
    wires.replaceChildren();
    wires.setAttribute("width", String(board.scrollWidth));
    wires.setAttribute("height", String(board.scrollHeight));
    for (const e of graph.edges) {
      const a = centre(e.from_node_id, e.from_port_id, "out");
      const b = centre(e.to_node_id, e.to_port_id, "in");
      if (!a || !b) continue;
      const path = wires.appendChild(document.createElementNS(SVG, "path"));
      path.setAttribute("d", curve(a, b));
      path.classList.add("porch-wf-wire");
      path.dataset.edge = e.id;
      path.dataset.from = e.from_node_id;
      path.dataset.to = e.to_node_id;
      const hint = path.appendChild(document.createElementNS(SVG, "title"));
      hint.textContent = "Double-click to remove";
      path.addEventListener("dblclick", () => {
        graph.edges = graph.edges.filter((x) => x !== e);
        changed();
      });
    }
  }

  function wireFrom(e, fromNode, fromPort) {
    e.preventDefault();
    e.stopPropagation();
    const a = centre(fromNode, fromPort.id, "out");
    if (!a) return;
    const loose = wires.appendChild(document.createElementNS(SVG, "path"));
    loose.classList.add("porch-wf-wire", "porch-wf-loose");
    const b0 = board.getBoundingClientRect();
    const move = (m) => loose.setAttribute("d", curve(a, { x: m.clientX - b0.left + board.scrollLeft, y: m.clientY - b0.top + board.scrollTop }));
    const up = (u) => {
      document.removeEventListener("pointermove", move);
      document.removeEventListener("pointerup", up);
      loose.remove();
      const target = document.elementFromPoint(u.clientX, u.clientY)?.closest?.(".porch-wf-dot[data-side=in]");
      if (!target || target.dataset.node === fromNode) return;
      const { node: toNode, port: toPort } = target.dataset;
      // One wire into an input: a new one replaces what fed it.
      graph.edges = graph.edges.filter((x) => !(x.to_node_id === toNode && x.to_port_id === toPort));
      let k = graph.edges.length;
      while (graph.edges.some((x) => x.id === `edge_${k}`)) k++;
      graph.edges.push({ id: `edge_${k}`, from_node_id: fromNode, from_port_id: fromPort.id, to_node_id: toNode, to_port_id: toPort, type: fromPort.type ?? "text" });
      changed();
    };
    document.addEventListener("pointermove", move);
    document.addEventListener("pointerup", up);
  }

  function draw() {
    title.update(current, "");
    for (const old of board.querySelectorAll(".porch-wf-node")) old.remove();
    for (const node of nodesOf(graph)) {
      at[node.id] ??= { x: 20, y: 20 };
      board.append(card(node));
    }
    board.setAttribute("aria-label", `Workflow ${graph.name ?? ""}`.trim());
    const editable = current.interactive !== false;
    bar.hidden = !editable;
    requestAnimationFrame(drawWires);
  }

  draw();
  return {
    update(next) {
      current = next;
      const fresh = parse(next.value);
      if (fresh.name !== graph.name) at = { ...autoLayout(fresh), ...JSON.parse(localStorage.getItem(`porch-workflow:${location.pathname}:${fresh.name ?? ""}`) ?? "{}") };
      graph = fresh;
      draw();
    },
    value() {
      return JSON.stringify(graph);
    },
  };
}
