// Undo and redo for the image editor (image_editor.js): each step is a snapshot of every
// canvas, and only the last few are kept, since an 800x800 layer is 2.5 MB of pixels.

const LIMIT = 20;

/** A copy of `canvas`, pixels and class included. */
export function copyCanvas(canvas) {
  const copy = Object.assign(document.createElement("canvas"), { width: canvas.width, height: canvas.height });
  copy.getContext("2d").drawImage(canvas, 0, 0);
  copy.className = canvas.className;
  if (canvas.dataset.layer) copy.dataset.layer = canvas.dataset.layer;
  return copy;
}

export class History {
  constructor() {
    this.undos = [];
    this.redos = [];
  }

  /** Remember `state` (taken just before a change); a new change forgets what was undone. */
  record(state) {
    this.undos.push(state);
    if (this.undos.length > LIMIT) this.undos.shift();
    this.redos = [];
  }

  /** The state to go back to, given the `current` one (kept for redo), or null. */
  undo(current) {
    const state = this.undos.pop() ?? null;
    if (state) this.redos.push(current);
    return state;
  }

  redo(current) {
    const state = this.redos.pop() ?? null;
    if (state) this.undos.push(current);
    return state;
  }

  forget() {
    this.undos = [];
    this.redos = [];
  }
}
