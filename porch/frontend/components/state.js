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

// BrowserState (twin of porch/components/state.py): a value kept in this browser's
// localStorage under the app's storage_key, sent with the events that read it.
export function browserstate(el, props, emit) {
  el.closest(".porch-block")?.setAttribute("hidden", "");
  const key = String(props.storage_key ?? "porch-browser-state");
  const fallback = props.default_value ?? props.value ?? null;
  let value = fallback;
  try {
    const saved = localStorage.getItem(key);
    if (saved != null) value = JSON.parse(saved);
  } catch {
    // Storage may be off (private mode) or hold junk: start from the default.
  }
  const store = () => {
    try {
      localStorage.setItem(key, JSON.stringify(value));
    } catch {
      // Full or unavailable storage keeps the value for this page only.
    }
  };
  return {
    update(next) {
      const incoming = next.value ?? null;
      if (JSON.stringify(incoming) === JSON.stringify(value)) return;
      value = incoming;
      store();
      emit("change");
    },
    value() { return value; },
    clear() { this.update({ value: fallback }); },
  };
}
