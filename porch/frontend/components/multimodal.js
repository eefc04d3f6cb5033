// MultimodalTextbox (twin of porch/components/multimodal.py): a message box that also
// takes files; its value is {text, files}. Files upload through the app's /upload.

import { field, smallButton as button, uid } from "./base.js";
import { UploadError, acceptFor, fileName, maxFileSize, uploadFiles } from "./upload.js";

const size = (v) => (v == null || v === "" ? "" : typeof v === "number" ? `${v}px` : String(v));

export function multimodaltextbox(el, props, emit) {
  const id = uid("mmtext");
  const box = document.createElement("div");
  box.className = "porch-mm";
  const chips = box.appendChild(document.createElement("ul"));
  chips.className = "porch-mm-files";
  const line = box.appendChild(document.createElement("div"));
  line.className = "porch-mm-line";
  const input = document.createElement("input");
  input.type = "file";
  input.className = "porch-file-input";
  input.tabIndex = -1;
  const attach = button("porch-mm-attach", "+", "Attach files");
  attach.addEventListener("click", () => input.click());
  const text = document.createElement("textarea");
  text.id = id;
  text.className = "porch-input porch-text porch-mm-text";
  const send = button("porch-mm-send porch-button porch-primary porch-size-sm", "Send");
  const stop = button("porch-mm-stop porch-button porch-stop porch-size-sm", "Stop");
  line.append(input, attach, text, send, stop);
  const status = box.appendChild(document.createElement("p"));
  status.className = "porch-upload-error";
  status.setAttribute("role", "status");
  const labels = field(el, props, id, "message");
  el.append(box);
  let current = props;
  let files = [];
  let pending = null;

  const lines = () => Math.max(1, Number(current.lines) || 1);
  const valueNow = () => ({ text: text.value, files: [...files] });
  const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

  function setValue(v) {
    const next = v == null ? { text: "", files: [] } : typeof v === "string" ? { text: v, files: [] } : v;
    text.value = String(next.text ?? "");
    files = Array.isArray(next.files) ? [...next.files] : [];
    drawFiles();
  }

  function drawFiles() {
    chips.replaceChildren(...files.map((data, k) => {
      const li = document.createElement("li");
      li.className = "porch-mm-chip";
      li.append(fileName(data));
      const remove = li.appendChild(button("porch-mm-remove", "×", `Remove ${fileName(data)}`));
      remove.addEventListener("click", () => {
        files.splice(k, 1);
        drawFiles();
        emit("change");
      });
      return li;
    }));
    chips.hidden = !files.length;
  }

  function render(next) {
    labels.update(next, text);
    const editable = next.interactive !== false;
    text.readOnly = !editable;
    text.rows = lines();
    text.placeholder = next.placeholder == null ? "" : String(next.placeholder);
    const sources = Array.isArray(next.sources) ? next.sources : ["upload"];
    attach.hidden = !editable || !sources.includes("upload");
    input.multiple = next.file_count === "multiple" || next.file_count === "directory";
    input.accept = acceptFor(next.file_types);
    send.hidden = !next.submit_btn;
    if (typeof next.submit_btn === "string") send.textContent = next.submit_btn;
    stop.hidden = !next.stop_btn;
    if (typeof next.stop_btn === "string") stop.textContent = next.stop_btn;
  }

  input.addEventListener("change", () => {
    const chosen = [...(input.files ?? [])];
    input.value = "";
    if (!chosen.length) return;
    status.textContent = `Uploading ${chosen.length === 1 ? chosen[0].name : `${chosen.length} files`}…`;
    status.hidden = false;
    const run = (async () => {
      try {
        const values = await uploadFiles(chosen, { limit: maxFileSize(current) });
        files = input.multiple ? [...files, ...values] : values.slice(0, 1);
        status.hidden = true;
        drawFiles();
        emit("upload");
        emit("change");
      } catch (e) {
        status.textContent = e instanceof UploadError ? e.message : `The upload failed: ${e.message ?? e}`;
      } finally {
        if (pending === run) pending = null;
      }
    })();
    pending = run;
  });
  const submit = async () => {
    if (pending) await pending;
    emit("submit");
  };
  text.addEventListener("keydown", (e) => {
    if (e.key !== "Enter" || e.isComposing || text.readOnly) return;
    const submits = lines() === 1 ? !e.shiftKey : e.shiftKey;
    if (submits) {
      e.preventDefault();
      submit();
    }
  });
  text.addEventListener("input", () => {
    emit("input");
    emit("change");
  });
  text.addEventListener("focus", () => emit("focus"));
  text.addEventListener("blur", () => emit("blur"));
  send.addEventListener("click", submit);
  stop.addEventListener("click", () => emit("stop"));

  status.hidden = true;
  render(props);
  setValue(props.value);
  if (props.autofocus) requestAnimationFrame(() => text.focus());

  return {
    update(next) {
      current = next;
      render(next);
      if (!same(next.value ?? { text: "", files: [] }, valueNow())) {
        setValue(next.value);
        emit("change");
      }
    },
    value() { return valueNow(); },
    pending() { return pending; },
    clear() { this.update({ ...current, value: { text: "", files: [] } }); },
  };
}
