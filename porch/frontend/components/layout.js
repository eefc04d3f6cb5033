// Layouts: row, column, group and the app's root (twins of porch/blocks/layout.py).
// Each returns `container`, the element the page renders the layout's children into.

function container(el, kind, props, extra) {
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
  return container(el, "row", props, (next) => {
    el.classList.toggle("porch-equal-height", Boolean(next.equal_height));
  });
}

export function column(el, props) {
  return container(el, "column", props);
}

export function group(el, props) {
  return container(el, "group", props);
}

export function root(el, props) {
  return container(el, "root", props);
}
