// Gallery: gallery (twin of porch/components/gallery.py). Its value is a list of
// {image: FileData, caption} or {video: FileData, caption}; media load from each FileData
// `url` as the server gave it, captions are text only.

import { field } from "./base.js";
import { Previews, dropzone, fileName, runUpload, sourceOf } from "./upload.js";

const media = (item) => item?.image ?? item?.video ?? null;
const isVideo = (item) => item?.video != null;
const key = (items) => JSON.stringify((items ?? []).map((i) => [media(i)?.path, media(i)?.url, i?.caption ?? null]));

function columnsOf(props) {
  const c = Array.isArray(props.columns) ? props.columns[props.columns.length - 1] : props.columns;
  const n = Math.round(Number(c));
  return Number.isFinite(n) && n > 0 ? Math.min(n, 12) : 2;
}

export function gallery(el, props, emit) {
  const previews = new Previews();
  let current = props;
  let items = Array.isArray(props.value) ? props.value : [];
  let selected = Number.isInteger(props.selected_index) ? props.selected_index : null;
  const zone = dropzone({ multiple: true, accept: "image/*,video/*", prompt: "Drop images here or click to upload" }, (files) => runUpload(zone, files, current, (values) => {
    previews.add(values, files);
    const added = values.map((data, k) => (files[k].type.startsWith("video/")
      ? { video: data, caption: null } : { image: data, caption: null }));
    items = [...items, ...added];
    render();
    emit("upload");
    emit("change");
  }));
  const label = field(el, props, zone.input.id, "gallery");
  const large = document.createElement("figure");
  large.className = "porch-gallery-preview";
  const grid = document.createElement("ul");
  grid.className = "porch-gallery";
  el.append(large, grid, zone.root);

  function view(item, index, big) {
    const data = media(item);
    const src = sourceOf(data, previews);
    const caption = item?.caption == null ? "" : String(item.caption);
    let node;
    if (isVideo(item)) {
      node = document.createElement("video");
      node.controls = big;
      node.muted = !big;
      node.preload = "metadata";
    } else {
      node = document.createElement("img");
      node.alt = caption || fileName(data);
      node.loading = "lazy";
    }
    if (src) node.src = src;
    if (current.object_fit) node.style.objectFit = String(current.object_fit);
    node.dataset.index = String(index);
    return { node, caption };
  }

  function render() {
    label.update(current, zone.input);
    const editable = current.interactive !== false;
    zone.enable(editable);
    previews.prune(items.map((i) => media(i)?.path));
    grid.style.setProperty("--porch-columns", String(columnsOf(current)));
    if (current.height != null) grid.style.maxHeight = typeof current.height === "number" ? `${current.height}px` : String(current.height);
    grid.replaceChildren(...items.map((item, index) => {
      const li = document.createElement("li");
      const pick = li.appendChild(document.createElement("button"));
      pick.type = "button";
      pick.className = "porch-gallery-item";
      pick.classList.toggle("porch-selected", index === selected);
      const { node, caption } = view(item, index, false);
      pick.append(node);
      pick.setAttribute("aria-label", caption || `${isVideo(item) ? "Video" : "Image"} ${index + 1}`);
      pick.setAttribute("aria-pressed", String(index === selected));
      if (caption) {
        const text = li.appendChild(document.createElement("span"));
        text.className = "porch-gallery-caption";
        text.textContent = caption;
      }
      pick.addEventListener("click", () => {
        selected = selected === index ? null : index;
        render();
        emit("select", { index, value: item, selected: selected === index });
      });
      return li;
    }));
    const showLarge = current.allow_preview !== false && selected != null && selected < items.length;
    large.hidden = !showLarge;
    if (showLarge) {
      const { node, caption } = view(items[selected], selected, true);
      const text = document.createElement("figcaption");
      text.textContent = caption;
      large.replaceChildren(node, ...(caption ? [text] : []));
    } else {
      large.replaceChildren();
    }
    grid.hidden = !items.length;
  }
  render();

  return {
    update(next) {
      current = next;
      const list = Array.isArray(next.value) ? next.value : [];
      const changed = key(list) !== key(items);
      items = list;
      if (changed && (selected == null || selected >= items.length)) selected = null;
      render();
      if (changed) emit("change");
    },
    value() { return items.length ? items : null; },
    pending() { return zone.pending; },
    clear() { this.update({ ...current, value: [] }); },
  };
}
