// Buttons: button (twin of porch/components/button.py). Its value is its text.

const VARIANTS = new Set(["primary", "secondary", "stop", "huggingface"]);
const SIZES = new Set(["sm", "md", "lg"]);

export function button(el, props, emit) {
  const control = el.appendChild(document.createElement("button"));
  control.type = "button";
  control.addEventListener("click", () => emit("click"));
  let current = props;

  function render(next) {
    control.textContent = next.value == null ? "" : String(next.value);
    const variant = VARIANTS.has(next.variant) ? next.variant : "secondary";
    const size = SIZES.has(next.size) ? next.size : "lg";
    control.className = `porch-button porch-${variant} porch-size-${size}`;
    control.disabled = next.interactive === false;
  }
  render(props);

  return {
    update(next) {
      current = next;
      render(next);
    },
    value() { return current.value ?? null; },
    // Clearing an app's fields leaves a button's text alone.
    clear() {},
  };
}
