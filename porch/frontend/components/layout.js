// Layouts: row, column, group, tabs/tab, accordion, sidebar and the app's root (twins of
// porch/blocks/layout.py). Each returns `container`, the element the page renders the
// layout's children into, and `live()`, the props the user changed (a tab picked, a section
// opened), so that an update that names other props leaves them as the user left them.

import { uid } from "./base.js";

function container(el, props, extra) {
  el.classList.add("porch-layout");
  const apply = (next) => {
    el.dataset.variant = next.variant ?? "default";
    if (extra) extra(next);
  };
  apply(props);
  return {
    container: el,
    update: apply,
    value() { return null; },
    clear() {},
  };
}

export function row(el, props) {
  return container(el, props, (next) => {
    el.classList.toggle("porch-equal-height", Boolean(next.equal_height));
  });
}

export function column(el, props) {
  return container(el, props);
}

export function group(el, props) {
  return container(el, props);
}

export function root(el, props) {
  return container(el, props);
}

// ---- tabs ------------------------------------------------------------------------------

const tabSets = new WeakMap(); // tabs element -> its controller

/** A Tabs: a tab bar over the panels of its Tab children (which register themselves). */
export function tabs(el, props, emit) {
  el.classList.add("porch-tabs");
  const bar = el.appendChild(document.createElement("div"));
  bar.className = "porch-tab-bar";
  bar.setAttribute("role", "tablist");
  const panels = el.appendChild(document.createElement("div"));
  panels.className = "porch-tab-panels";
  const items = []; // { key, button, panel, props, emit }
  let chosen = props.selected ?? null;

  const keyOf = (item) => (item.props.id ?? items.indexOf(item));
  const shown = (item) => item.props.visible !== false && item.props.visible !== "hidden";
  const usable = (item) => shown(item) && item.props.interactive !== false;

  function current() {
    const wanted = items.find((item) => chosen != null && String(keyOf(item)) === String(chosen));
    if (wanted && shown(wanted)) return wanted;
    return items.find(usable) ?? items.find(shown) ?? null;
  }

  function refresh() {
    const active = current();
    items.forEach((item, index) => {
      const on = item === active;
      item.button.textContent = item.props.label == null ? `Tab ${index + 1}` : String(item.props.label);
      item.button.hidden = !shown(item);
      item.button.disabled = item.props.interactive === false;
      item.button.setAttribute("aria-selected", String(on));
      item.button.tabIndex = on ? 0 : -1;
      item.button.classList.toggle("porch-tab-selected", on);
      item.panel.classList.toggle("porch-tab-inactive", !on);
    });
    bar.hidden = !items.some(shown);
  }

  function pick(item, { user }) {
    const before = current();
    chosen = keyOf(item);
    refresh();
    if (!user) {
      if (before !== item) emit("change");
      return;
    }
    item.button.focus();
    const data = { index: items.indexOf(item), value: item.props.label ?? null, selected: true };
    item.emit("select", data);
    emit("select", data);
    if (before !== item) emit("change");
  }

  bar.addEventListener("keydown", (e) => {
    const order = items.filter(usable);
    const at = order.indexOf(current());
    let next = null;
    if (e.key === "ArrowRight") next = order[(at + 1) % order.length];
    else if (e.key === "ArrowLeft") next = order[(at - 1 + order.length) % order.length];
    else if (e.key === "Home") next = order[0];
    else if (e.key === "End") next = order[order.length - 1];
    if (next) {
      e.preventDefault();
      pick(next, { user: true });
    }
  });

  tabSets.set(el, {
    add(panel, itemProps, itemEmit) {
      const button = bar.appendChild(document.createElement("button"));
      button.type = "button";
      button.className = "porch-tab";
      button.id = uid("tab");
      button.setAttribute("role", "tab");
      panel.id ||= uid("tabpanel");
      panel.setAttribute("role", "tabpanel");
      panel.setAttribute("aria-labelledby", button.id);
      button.setAttribute("aria-controls", panel.id);
      const item = { button, panel, props: itemProps, emit: itemEmit };
      items.push(item);
      button.addEventListener("click", () => pick(item, { user: true }));
      refresh();
      return {
        update(next) {
          item.props = next;
          refresh();
        },
        remove() {
          items.splice(items.indexOf(item), 1);
          button.remove();
          refresh();
        },
      };
    },
  });

  return {
    container: panels,
    update(next) {
      // `selected` is the live choice unless the update names another tab.
      const active = current();
      if (next.selected != null && (!active || String(keyOf(active)) !== String(next.selected))) {
        const item = items.find((i) => String(keyOf(i)) === String(next.selected));
        if (item) pick(item, { user: false });
      }
      refresh();
    },
    live() {
      const active = current();
      return { selected: active ? keyOf(active) : null };
    },
    value() { return null; },
    clear() {},
  };
}

/** One Tab: a panel that its Tabs shows when its button is picked. */
export function tabitem(el, props, emit) {
  el.classList.add("porch-layout", "porch-tab-panel");
  const owner = tabSets.get(el.parentElement?.closest(".porch-block-tabs, .porch-block-walkthrough"));
  const entry = owner ? owner.add(el, props, emit) : null;
  return {
    container: el,
    update(next) { entry?.update(next); },
    destroy() { entry?.remove(); },
    value() { return null; },
    clear() {},
  };
}

// ---- accordion -------------------------------------------------------------------------

/** A titled section that opens and closes. */
export function accordion(el, props, emit) {
  el.classList.add("porch-accordion");
  const header = el.appendChild(document.createElement("button"));
  header.type = "button";
  header.className = "porch-accordion-header";
  const title = header.appendChild(document.createElement("span"));
  title.className = "porch-accordion-title";
  const icon = header.appendChild(document.createElement("span"));
  icon.className = "porch-accordion-icon";
  icon.setAttribute("aria-hidden", "true");
  const body = el.appendChild(document.createElement("div"));
  body.className = "porch-layout porch-accordion-body";
  body.id = uid("accordion");
  header.setAttribute("aria-controls", body.id);
  let open = props.open !== false;

  function show() {
    header.setAttribute("aria-expanded", String(open));
    el.classList.toggle("porch-open", open);
    body.hidden = !open;
  }
  function toggle(next, { user }) {
    if (next === open) return;
    open = next;
    show();
    if (user) emit(open ? "expand" : "collapse");
  }
  header.addEventListener("click", () => toggle(!open, { user: true }));

  function render(next) {
    title.textContent = next.label == null ? "" : String(next.label);
    if (next.open !== undefined) toggle(next.open !== false, { user: false });
  }
  render(props);
  show();
  return {
    container: body,
    update: render,
    live() { return { open }; },
    value() { return null; },
    clear() {},
  };
}

// ---- sidebar ---------------------------------------------------------------------------

const PHONE = "(max-width: 768px)";

/**
 * A panel fixed to the page's left or right edge, folded away with its toggle. On a wide
 * screen the page makes room for it; on a phone it is a drawer over the page (closed at
 * first, and closed again by tapping outside it).
 */
export function sidebar(el, props, emit) {
  el.classList.add("porch-sidebar");
  const panel = el.appendChild(document.createElement("aside"));
  panel.className = "porch-sidebar-panel";
  panel.id = uid("sidebar");
  const heading = panel.appendChild(document.createElement("div"));
  heading.className = "porch-sidebar-label";
  const body = panel.appendChild(document.createElement("div"));
  body.className = "porch-layout porch-sidebar-body";
  const toggleButton = el.appendChild(document.createElement("button"));
  toggleButton.type = "button";
  toggleButton.className = "porch-sidebar-toggle";
  toggleButton.setAttribute("aria-controls", panel.id);
  const backdrop = el.appendChild(document.createElement("div"));
  backdrop.className = "porch-sidebar-backdrop";
  const phone = window.matchMedia(PHONE);
  let open = props.open !== false && !phone.matches;
  let current = props;

  function show() {
    const side = current.position === "right" ? "right" : "left";
    el.dataset.position = side;
    const width = typeof current.width === "number" ? `${current.width}px` : String(current.width ?? "320px");
    // On the body: the page's padding makes room for it too.
    document.body.style.setProperty("--porch-sidebar-width", /^[\w.%()+\- ]+$/.test(width) ? width : "320px");
    el.classList.toggle("porch-open", open);
    panel.setAttribute("aria-hidden", String(!open));
    panel.inert = !open;
    toggleButton.setAttribute("aria-expanded", String(open));
    toggleButton.setAttribute("aria-label", open ? "Close sidebar" : "Open sidebar");
    toggleButton.textContent = (side === "left") === open ? "‹" : "›";
    heading.textContent = current.label == null ? "" : String(current.label);
    heading.hidden = current.label == null;
    const shown = current.visible !== false && current.visible !== "hidden";
    document.body.classList.toggle(`porch-sidebar-${side}-open`, open && shown);
  }
  function toggle(next, { user }) {
    if (next === open) return;
    open = next;
    show();
    if (user) emit(open ? "expand" : "collapse");
  }
  toggleButton.addEventListener("click", () => toggle(!open, { user: true }));
  backdrop.addEventListener("click", () => toggle(false, { user: true }));
  el.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && open && phone.matches) toggle(false, { user: true });
  });
  show();
  return {
    container: body,
    update(next) {
      current = next;
      if (next.open !== undefined) toggle(next.open !== false, { user: false });
      show();
    },
    live() { return { open }; },
    value() { return null; },
    clear() {},
  };
}
