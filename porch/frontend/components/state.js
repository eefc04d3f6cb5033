// State (twin of porch/components/state.py): its value lives on the server, so the page
// draws nothing and always sends null in its slot.

export function state(el) {
  el.closest(".porch-block")?.setAttribute("hidden", "");
  return {
    update() {},
    value() { return null; },
    clear() {},
  };
}
