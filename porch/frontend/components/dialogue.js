// Dialogue (twin of porch/components/dialogue.py): lines of {speaker, text}. Editable as rows
// (a speaker picker and a text field per line) or, with ui_mode "text"/"both", as plain text
// with one "[speaker] text" line each. Everything is text in the DOM, never markup.

function parse(text, separator, fallback) {
  return String(text).split(separator || "\n").map((l) => l.trim()).filter(Boolean).map((l) => {
    const m = /^\[([^\]]*)\]\s*(.*)$/.exec(l);
    return m ? { speaker: m[1], text: m[2] } : { speaker: fallback, text: l };
  });
}

const asText = (lines, separator) => lines.map((l) => `[${l.speaker}] ${l.text}`).join(separator || "\n");

export function dialogue(el, props, emit) {
  const label = el.appendChild(document.createElement("div"));
  label.className = "porch-label";
  const info = el.appendChild(document.createElement("div"));
  info.className = "porch-info";
  const bar = el.appendChild(document.createElement("div"));
  bar.className = "porch-dialogue-modes";
  const modeButton = bar.appendChild(document.createElement("button"));
  modeButton.type = "button";
  modeButton.className = "porch-dialogue-mode";
  const list = el.appendChild(document.createElement("div"));
  list.className = "porch-dialogue";
  list.setAttribute("role", "list");
  const text = el.appendChild(document.createElement("textarea"));
  text.className = "porch-input porch-dialogue-text";
  text.rows = 4;
  const actions = el.appendChild(document.createElement("div"));
  actions.className = "porch-dialogue-actions";
  const add = actions.appendChild(document.createElement("button"));
  add.type = "button";
  add.className = "porch-button porch-secondary porch-size-sm";
  add.textContent = "Add line";
  const submit = actions.appendChild(document.createElement("button"));
  submit.type = "button";
  submit.className = "porch-button porch-primary porch-size-sm";
  let current = props;
  let lines = [];
  let textMode = props.ui_mode === "text";

  const speakers = () => (Array.isArray(current.speakers) ? current.speakers.map(String) : []);
  const fallback = () => speakers()[0] ?? "Unknown";
  function edited() {
    current = { ...current, value: lines.map((l) => ({ ...l })) };
    emit("input");
    emit("change");
  }

  function row(line, index, editable) {
    const item = list.appendChild(document.createElement("div"));
    item.className = "porch-dialogue-line";
    item.setAttribute("role", "listitem");
    const colour = current.color_map?.[line.speaker];
    if (colour) item.style.borderLeftColor = String(colour);
    if (!editable) {
      const who = item.appendChild(document.createElement("span"));
      who.className = "porch-dialogue-speaker";
      who.textContent = line.speaker;
      const said = item.appendChild(document.createElement("span"));
      said.className = "porch-dialogue-said";
      said.textContent = line.text;
      return;
    }
    let who;
    if (speakers().length) {
      who = item.appendChild(document.createElement("select"));
      for (const name of new Set([...speakers(), line.speaker])) {
        const option = who.appendChild(document.createElement("option"));
        option.value = option.textContent = name;
      }
    } else {
      who = item.appendChild(document.createElement("input"));
      who.placeholder = "speaker";
    }
    who.className = "porch-input porch-dialogue-speaker";
    who.value = line.speaker;
    who.setAttribute("aria-label", `speaker, line ${index + 1}`);
    who.addEventListener("change", () => { lines[index].speaker = who.value; edited(); });
    const said = item.appendChild(document.createElement("input"));
    said.className = "porch-input porch-dialogue-said";
    said.value = line.text;
    said.placeholder = current.placeholder ?? "";
    said.setAttribute("aria-label", `text, line ${index + 1}`);
    said.addEventListener("change", () => { lines[index].text = said.value; edited(); });
    said.addEventListener("keydown", (e) => {
      if (e.key === "Enter") { lines[index].text = said.value; edited(); emit("submit"); }
    });
    const remove = item.appendChild(document.createElement("button"));
    remove.type = "button";
    remove.className = "porch-dialogue-remove";
    remove.textContent = "×";
    remove.setAttribute("aria-label", `remove line ${index + 1}`);
    remove.addEventListener("click", () => { lines.splice(index, 1); draw(); edited(); });
  }

  function draw() {
    const editable = current.interactive !== false;
    const mode = current.ui_mode ?? "both";
    if (mode === "dialogue") textMode = false;
    if (mode === "text") textMode = true;
    bar.hidden = !editable || mode !== "both";
    modeButton.textContent = textMode ? "Edit as lines" : "Edit as text";
    list.replaceChildren();
    list.hidden = textMode && editable;
    text.hidden = !(textMode && editable);
    text.value = asText(lines, current.separator);
    text.placeholder = current.placeholder ?? "";
    text.setAttribute("aria-label", current.label ? String(current.label) : "dialogue");
    lines.forEach((line, i) => row(line, i, editable));
    add.hidden = !editable || textMode;
    actions.hidden = !editable;
    const sub = current.submit_btn;
    submit.hidden = !editable || !sub;
    submit.textContent = typeof sub === "string" ? sub : "Submit";
  }

  function render(next) {
    const name = next.label == null ? "" : String(next.label);
    label.textContent = name;
    label.hidden = next.show_label === false || !name;
    info.textContent = next.info ?? "";
    info.hidden = !next.info || next.interactive === false;
    const v = next.value;
    lines = Array.isArray(v) ? v.map((l) => ({ speaker: String(l.speaker ?? ""), text: String(l.text ?? "") }))
      : typeof v === "string" && v ? parse(v, next.separator, fallback()) : [];
    draw();
  }

  modeButton.addEventListener("click", () => { textMode = !textMode; draw(); });
  text.addEventListener("change", () => { lines = parse(text.value, current.separator, fallback()); edited(); });
  add.addEventListener("click", () => {
    const last = lines[lines.length - 1]?.speaker;
    const names = speakers();
    const nextSpeaker = names.length ? names[(names.indexOf(last) + 1) % names.length] : "";
    lines.push({ speaker: nextSpeaker, text: "" });
    draw();
    edited();
    list.querySelector(".porch-dialogue-line:last-child .porch-dialogue-said")?.focus();
  });
  submit.addEventListener("click", () => {
    if (textMode) lines = parse(text.value, current.separator, fallback());
    current = { ...current, value: lines.map((l) => ({ ...l })) };
    emit("submit");
  });
  render(props);

  return {
    update(next) {
      const changed = next.value !== current.value;
      current = next;
      render(next);
      if (changed) emit("change");
    },
    value() { return lines.map((l) => ({ ...l })); },
    clear() { this.update({ ...current, value: [] }); },
  };
}
