// Which module renders which component type.
//
// A new family (file, image, audio, chat, dataframe, ...) adds its module beside this one and
// one line per type below. Modules load only when the app uses one of their types.

const families = {
  textbox: ["./text.js", "textbox"],
  markdown: ["./markup.js", "markdown"],
  number: ["./number.js", "number"],
  button: ["./button.js", "button"],
  json: ["./data.js", "json"],
  state: ["./state.js", "state"],
  // An API-only endpoint's value (porch.api, Server.api): never drawn, like a State.
  api: ["./state.js", "state"],
  timer: ["./timer.js", "timer"],
  file: ["./file.js", "file"],
  fileexplorer: ["./file_explorer.js", "fileexplorer"],
  workflowcanvas: ["./workflow_canvas.js", "workflowcanvas"],
  uploadbutton: ["./file.js", "uploadbutton"],
  downloadbutton: ["./file.js", "downloadbutton"],
  image: ["./image.js", "image"],
  audio: ["./audio.js", "audio"],
  video: ["./video.js", "video"],
  model3d: ["./model3d.js", "model3d"],
  gallery: ["./gallery.js", "gallery"],
  imageeditor: ["./image_editor.js", "imageeditor"],
  annotatedimage: ["./annotated.js", "annotatedimage"],
  imageslider: ["./annotated.js", "imageslider"],
  chatbot: ["./chat.js", "chatbot"],
  multimodaltextbox: ["./multimodal.js", "multimodaltextbox"],
  dataset: ["./dataset.js", "dataset"],
  html: ["./markup.js", "html"],
  code: ["./text.js", "code"],
  slider: ["./number.js", "slider"],
  checkbox: ["./choice.js", "checkbox"],
  checkboxgroup: ["./choice.js", "checkboxgroup"],
  radio: ["./choice.js", "radio"],
  dropdown: ["./choice.js", "dropdown"],
  colorpicker: ["./picker.js", "colorpicker"],
  datetime: ["./picker.js", "datetime"],
  label: ["./data.js", "label"],
  highlightedtext: ["./highlighted.js", "highlightedtext"],
  dataframe: ["./table.js", "dataframe"],
  plot: ["./plot.js", "plot"],
  nativeplot: ["./native_plot.js", "nativeplot"],
  paramviewer: ["./param_viewer.js", "paramviewer"],
  dialogue: ["./dialogue.js", "dialogue"],
  browserstate: ["./state.js", "browserstate"],
  row: ["./layout.js", "row"],
  column: ["./layout.js", "column"],
  group: ["./layout.js", "group"],
  tabs: ["./layout.js", "tabs"],
  tabitem: ["./layout.js", "tabitem"],
  walkthrough: ["./walkthrough.js", "walkthrough"],
  walkthroughstep: ["./walkthrough.js", "walkthroughstep"],
  accordion: ["./layout.js", "accordion"],
  sidebar: ["./layout.js", "sidebar"],
  form: ["./layout.js", "column"],
  root: ["./layout.js", "root"],
};

/** Render a visible note for a type this build cannot draw, instead of failing the page. */
export function unsupported(el, props) {
  const note = el.appendChild(document.createElement("div"));
  note.className = "porch-unsupported";
  note.setAttribute("role", "note");
  note.textContent = `The component type "${props.name ?? "unknown"}" is not supported in this browser build.`;
  let current = props;
  return {
    update(next) { current = next; },
    value() { return current.value ?? null; },
  };
}

/** Factories for the given types: Map(type -> (el, props, emit) -> api). */
export async function load(types) {
  const wanted = [...new Set(types)];
  const modules = new Map();
  await Promise.all(
    [...new Set(wanted.filter((t) => t in families).map((t) => families[t][0]))].map(async (path) => {
      modules.set(path, await import(path));
    }),
  );
  const factories = new Map();
  for (const type of wanted) {
    const entry = families[type];
    const factory = entry && modules.get(entry[0])?.[entry[1]];
    factories.set(type, factory ?? unsupported);
  }
  return factories;
}
