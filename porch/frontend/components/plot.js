// Plot (twin of porch/components/plot.py): the server renders figures to images in its file
// cache, so a plot is an <img>. Only http(s), same-page and data:image URLs are shown.

const DATA_IMAGE = /^data:image\/(png|jpe?g|webp|gif);base64,/i;

function source(value) {
  const raw = value && typeof value === "object" ? value.plot : null;
  if (typeof raw !== "string" || raw === "") return null;
  if (DATA_IMAGE.test(raw)) return raw;
  try {
    const url = new URL(raw, document.baseURI);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

export function plot(el, props, emit) {
  const label = el.appendChild(document.createElement("div"));
  label.className = "porch-label";
  const box = el.appendChild(document.createElement("div"));
  box.className = "porch-plot";
  const img = box.appendChild(document.createElement("img"));
  img.className = "porch-plot-image";
  const empty = box.appendChild(document.createElement("p"));
  empty.className = "porch-empty";
  empty.textContent = "No plot yet.";
  let current = props;
  let shown;

  function render(next) {
    const name = next.label == null ? "" : String(next.label);
    label.textContent = name;
    label.hidden = next.show_label === false || !name;
    img.alt = name || "plot";
    const src = source(next.value);
    if (src === shown) return false;
    shown = src;
    if (src) img.src = src;
    else img.removeAttribute("src");
    img.hidden = !src;
    empty.hidden = Boolean(src);
    return true;
  }
  render(props);

  return {
    update(next) {
      current = next;
      if (render(next)) emit("change");
    },
    value() { return current.value ?? null; },
    clear() { this.update({ ...current, value: null }); },
  };
}
