// File components: file, uploadbutton, downloadbutton (twins of porch/components/files.py
// and file_buttons.py). Values are FileData (or lists of them, for file_count="multiple").
//
// Names and URLs come from the app and the server: they go into the page as textContent and
// href only. Links use the FileData `url` exactly as the server wrote it.

import { field, uid } from "./base.js";
import { Previews, acceptFor, dropzone, fileName, humanSize, runUpload, safeUrl, sameFiles, sourceOf } from "./upload.js";

const asList = (value) => (value == null ? [] : Array.isArray(value) ? value : [value]);

/** A download link for one FileData value. */
export function downloadLink(data, href) {
  const a = document.createElement("a");
  a.className = "porch-file-link";
  a.textContent = fileName(data);
  if (href) {
    a.href = href;
    a.download = fileName(data);
  }
  return a;
}

export function file(el, props, emit) {
  const multiple = props.file_count === "multiple" || props.file_count === "directory";
  const zone = dropzone({
    multiple,
    accept: acceptFor(props.file_types),
    prompt: multiple ? "Drop files here or click to upload" : "Drop a file here or click to upload",
  }, (files) => runUpload(zone, files, current, (values) => {
    previews.add(values, files);
    value = multiple ? [...asList(value), ...values] : values[0];
    render();
    emit("upload");
    emit("change");
  }));
  const label = field(el, props, zone.input.id, "file");
  const list = document.createElement("ul");
  list.className = "porch-file-list";
  const clear = document.createElement("button");
  clear.type = "button";
  clear.className = "porch-clear";
  clear.textContent = "Remove";
  clear.addEventListener("click", () => {
    value = null;
    render();
    emit("clear");
    emit("change");
  });
  el.append(list, zone.root, clear);
  const previews = new Previews();
  let current = props;
  let value = props.value ?? null;

  function render() {
    label.update(current, zone.input);
    const editable = current.interactive !== false;
    zone.enable(editable && (multiple || value == null));
    const items = asList(value);
    previews.prune(items.map((d) => d.path));
    list.replaceChildren(...items.map((data) => {
      const li = document.createElement("li");
      li.append(downloadLink(data, sourceOf(data, previews)));
      if (data.size != null) {
        const size = li.appendChild(document.createElement("span"));
        size.className = "porch-file-size";
        size.textContent = humanSize(data.size);
      }
      return li;
    }));
    list.hidden = !items.length;
    if (!items.length && !editable) {
      const empty = document.createElement("li");
      empty.className = "porch-empty";
      empty.textContent = "No file";
      list.replaceChildren(empty);
      list.hidden = false;
    }
    clear.hidden = !(editable && items.length);
  }
  render();

  return {
    update(next) {
      current = next;
      const changed = !sameFiles(next.value ?? null, value);
      value = next.value ?? null;
      render();
      if (changed) emit("change");
    },
    value() { return value; },
    pending() { return zone.pending; },
    clear() { this.update({ ...current, value: null }); },
  };
}

const VARIANTS = new Set(["primary", "secondary", "stop", "huggingface"]);
const SIZES = new Set(["sm", "md", "lg"]);

function buttonClass(props) {
  const variant = VARIANTS.has(props.variant) ? props.variant : "secondary";
  const size = SIZES.has(props.size) ? props.size : "lg";
  return `porch-button porch-${variant} porch-size-${size}`;
}

export function uploadbutton(el, props, emit) {
  const multiple = props.file_count === "multiple" || props.file_count === "directory";
  const zone = dropzone({ multiple, accept: acceptFor(props.file_types) }, (files) => runUpload(zone, files, current, (values) => {
    value = multiple ? values : values[0];
    emit("upload");
    emit("change");
  }));
  // The button is the picker; the zone only shows progress and errors.
  zone.root.classList.add("porch-drop-bare");
  zone.button.remove();
  const control = document.createElement("button");
  control.type = "button";
  control.addEventListener("click", () => {
    emit("click");
    zone.input.click();
  });
  el.append(control, zone.root);
  let current = props;
  let value = props.value ?? null;

  function render() {
    const text = current.label == null ? "Upload a File" : String(current.label);
    control.textContent = text;
    control.className = buttonClass(current);
    control.disabled = current.interactive === false;
    zone.input.disabled = control.disabled;
    zone.input.setAttribute("aria-label", text);
  }
  render();

  return {
    update(next) {
      current = next;
      value = next.value ?? null;
      render();
    },
    value() { return value; },
    pending() { return zone.pending; },
    clear() { value = null; },
  };
}

export function downloadbutton(el, props, emit) {
  const control = el.appendChild(document.createElement("button"));
  control.type = "button";
  let current = props;
  control.addEventListener("click", () => {
    emit("click");
    const data = current.value;
    const url = safeUrl(data?.url);
    if (!url) return;
    // A real link click, so the browser treats it as a download of the server's URL.
    const link = downloadLink(data, url);
    link.hidden = true;
    el.appendChild(link);
    link.click();
    link.remove();
  });

  function render() {
    control.textContent = current.label == null ? "Download" : String(current.label);
    control.className = buttonClass(current);
    control.disabled = current.interactive === false || !safeUrl(current.value?.url);
  }
  render();

  return {
    update(next) {
      const changed = !sameFiles(next.value ?? null, current.value ?? null);
      current = next;
      render();
      if (changed) emit("change");
    },
    value() { return current.value ?? null; },
    // Clearing an app's fields leaves a button alone.
    clear() {},
  };
}
