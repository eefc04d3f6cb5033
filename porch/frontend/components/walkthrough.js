// Walkthrough and Step (twins of porch/blocks/walkthrough.py): a Tabs whose tab bar is a row
// of numbered steps. The numbering is CSS (porch.css); selection, keyboard and events are
// the Tabs controller's.

import { tabitem, tabs } from "./layout.js";

export function walkthrough(el, props, emit) {
  el.classList.add("porch-walkthrough");
  return tabs(el, props, emit);
}

export function walkthroughstep(el, props, emit) {
  return tabitem(el, props, emit);
}
