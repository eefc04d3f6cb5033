// Multipage apps and deep links (twin of porch/blocks/pages.py).
//
// The server tells a page's shell which page it is (<meta name="porch-page">); the config
// holds every page, and this module narrows it to the current one: its top-level blocks, its
// events, and what those events read and write. A navbar links the pages (plain links, so
// back and forward, reloads and bookmarks work as they do anywhere on the web).
//
// Deep links: an input component with an `elem_id` takes its value from the query parameter
// of that name when the page opens (`/settings?model=large&steps=20`), as if the visitor had
// entered it, and the address bar follows what the visitor changes, so the URL of the page
// is always a link back to what it shows. Only plain values: text, numbers, choices, never
// files, and never a password field.

const LINKABLE = new Set(["textbox", "number", "slider", "checkbox", "dropdown", "radio", "checkboxgroup", "colorpicker", "datetime"]);

export function currentPage() {
  return document.querySelector('meta[name="porch-page"]')?.getAttribute("content") ?? "";
}

function idsIn(node, into) {
  if (node?.id != null) into.add(node.id);
  for (const child of node?.children ?? []) idsIn(child, into);
  return into;
}

/** `config` as the current page sees it (unchanged for a one-page app). */
export function pageView(config, page) {
  const mine = config.page?.[page];
  if (!mine || (config.pages ?? []).length <= 1) return config;
  const deps = new Set(mine.dependencies ?? []);
  const dependencies = (config.dependencies ?? []).filter((d) => deps.has(d.id));
  const ids = idsIn(mine.layout, new Set(mine.components ?? []));
  for (const dep of dependencies) for (const id of [...(dep.inputs ?? []), ...(dep.outputs ?? [])]) ids.add(id);
  // Timers of this page's events tick here, not on the other pages.
  for (const dep of dependencies) for (const [id] of dep.targets ?? []) ids.add(id);
  return {
    ...config,
    layout: mine.layout,
    components: (config.components ?? []).filter((c) => ids.has(c.id)),
    dependencies,
    current_page: page,
  };
}

/** The links between pages, above the app (when more than one page shows in the navbar). */
export function navbar(config, page, mount) {
  const shown = (config.pages ?? []).filter(([, , inNavbar]) => inNavbar !== false);
  if (shown.length <= 1) return;
  const nav = document.createElement("nav");
  nav.className = "porch-navbar";
  nav.setAttribute("aria-label", "Pages");
  const list = nav.appendChild(document.createElement("ul"));
  for (const [path, name] of shown) {
    const link = list.appendChild(document.createElement("li")).appendChild(document.createElement("a"));
    link.textContent = String(name);
    link.href = new URL(`./${encodeURI(path)}`, document.baseURI).href;
    if (path === page) link.setAttribute("aria-current", "page");
  }
  mount.before(nav);
}

function linkable(inst) {
  const id = inst?.props?.elem_id;
  if (!id || !LINKABLE.has(inst.type)) return null;
  if (inst.type === "textbox" && inst.props.type === "password") return null;
  return String(id);
}

function parse(inst, params, key) {
  const all = params.getAll(key);
  const multiple = inst.type === "checkboxgroup" || (inst.type === "dropdown" && inst.props.multiselect);
  if (multiple) return all;
  const text = all[all.length - 1];
  if (inst.type === "number" || inst.type === "slider") {
    const n = Number(text);
    return text.trim() !== "" && Number.isFinite(n) ? n : undefined;
  }
  if (inst.type === "checkbox") return text === "true" ? true : text === "false" ? false : undefined;
  return text;
}

/** Give linkable components the values the URL names, then keep the URL in step. */
export function deepLinks(app) {
  const params = new URLSearchParams(location.search);
  const initial = new Map();
  for (const [id, inst] of app.instances) {
    const key = linkable(inst);
    if (!key) continue;
    initial.set(id, JSON.stringify(inst.api.value() ?? null));
    if (!params.has(key)) continue;
    const value = parse(inst, params, key);
    if (value !== undefined) app.set(id, value);
  }
  const follow = () => {
    const next = new URLSearchParams(location.search);
    for (const [id] of initial) {
      const inst = app.instances.get(id);
      const key = linkable(inst);
      if (!key) continue;
      next.delete(key);
      const value = inst.api.value();
      if (JSON.stringify(value ?? null) === initial.get(id)) continue; // as the app opened: not in the link
      for (const item of Array.isArray(value) ? value : [value]) next.append(key, String(item));
    }
    const query = next.toString();
    history.replaceState(history.state, "", `${location.pathname}${query ? `?${query}` : ""}${location.hash}`);
  };
  return (id, event) => {
    if ((event === "change" || event === "input") && initial.has(id)) follow();
  };
}
