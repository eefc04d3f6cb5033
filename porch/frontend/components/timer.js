// Timer (twin of porch/components/timer.py): draws nothing; emits "tick" every `value`
// seconds while `active`. Each open page ticks for its own session.

// Shorter intervals would only flood the queue with this page's own ticks.
const MIN_INTERVAL_S = 0.05;

export function timer(el, props, emit) {
  el.closest(".porch-block")?.setAttribute("hidden", "");
  let current = props;
  let handle = null;

  function schedule(next) {
    clearInterval(handle);
    handle = null;
    const seconds = Number(next.value);
    if (next.active === false || !Number.isFinite(seconds) || seconds <= 0) return;
    handle = setInterval(() => emit("tick"), Math.max(seconds, MIN_INTERVAL_S) * 1000);
  }
  schedule(props);

  return {
    update(next) {
      const changed = next.value !== current.value || next.active !== current.active;
      current = next;
      if (changed) schedule(next);
    },
    value() { return current.value ?? null; },
    clear() {},
    destroy() { clearInterval(handle); },
  };
}
