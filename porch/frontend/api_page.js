// The "Use via API" page: every public endpoint of the app, its parameters and returns, and
// snippets that call it from Python (porch.Client or gradio_client), JavaScript (fetch, no
// library) or curl, and a link to its OpenAPI 3.1 document. It is built
// from ./gradio_api/info and the config, and shown as a modal dialog over the app (the page's
// `#api` address), so opening it reloads nothing and closing it returns to where the user was.

import { translate } from "./i18n.js";

const LANGUAGES = [
  ["porch", "Python · porch"],
  ["gradio", "Python · gradio_client"],
  ["js", "JavaScript · fetch"],
  ["curl", "curl"],
];
const FILE_TYPE = "gradio.FileData";

let open = null; // { dialog, close } while shown

/** Show the API page (once: a second call focuses the open one). Resolves when drawn. */
export async function showApiPage({ infoUrl, root, title, onClose }) {
  if (open) {
    open.dialog.focus();
    return open.close;
  }
  const dialog = document.createElement("dialog");
  dialog.className = "porch-api";
  dialog.setAttribute("aria-labelledby", "porch-api-title");
  const head = dialog.appendChild(document.createElement("header"));
  head.className = "porch-api-head";
  const heading = head.appendChild(document.createElement("h2"));
  heading.id = "porch-api-title";
  heading.textContent = "Use via API";
  const closeButton = head.appendChild(document.createElement("button"));
  closeButton.type = "button";
  closeButton.className = "porch-api-close";
  closeButton.setAttribute("aria-label", "Close the API page");
  closeButton.textContent = "×";
  const body = dialog.appendChild(document.createElement("div"));
  body.className = "porch-api-body";
  body.setAttribute("aria-busy", "true");
  body.textContent = "Loading the API description…";
  document.body.appendChild(dialog);

  const close = () => {
    if (!open || open.dialog !== dialog) return;
    open = null;
    if (dialog.open) dialog.close();
    dialog.remove();
    onClose?.();
  };
  dialog.addEventListener("close", close);
  closeButton.addEventListener("click", close);
  // A click on the backdrop (outside the dialog's box) closes it, as Escape does.
  dialog.addEventListener("click", (e) => {
    if (e.target === dialog) close();
  });
  open = { dialog, close };
  dialog.showModal();
  closeButton.focus();

  try {
    const response = await fetch(infoUrl, { credentials: "same-origin", headers: { accept: "application/json" } });
    if (!response.ok) throw new Error(`the server answered ${response.status}`);
    render(body, translate(await response.json()), { root, title: translate(title) });
  } catch (e) {
    body.textContent = `The API description could not be loaded (${e.message}).`;
  }
  body.removeAttribute("aria-busy");
  return close;
}

/** Close the API page if it is open. */
export function closeApiPage() {
  open?.close();
}

function el(parent, tag, className, text) {
  const node = parent.appendChild(document.createElement(tag));
  if (className) node.className = className;
  if (text != null) node.textContent = text;
  return node;
}

function render(body, info, { root, title }) {
  body.replaceChildren();
  const endpoints = Object.entries(info?.named_endpoints ?? {});
  const intro = el(body, "p", "porch-api-intro");
  intro.append(
    `${title ? `${title}: ` : ""}${endpoints.length} API endpoint${endpoints.length === 1 ? "" : "s"}. `,
    "Install a client with ",
  );
  el(intro, "code", null, "pip install porch");
  intro.append(" or ");
  el(intro, "code", null, "pip install gradio_client");
  intro.append(", or call the HTTP API directly (");
  const spec = el(intro, "a", "porch-api-openapi", "OpenAPI 3.1 document");
  spec.href = `${root}/gradio_api/openapi.json`;
  spec.target = "_blank";
  spec.rel = "noopener";
  intro.append(").");
  if (!endpoints.length) {
    el(body, "p", null, "This app has no public API endpoints.");
    return;
  }

  const picker = el(body, "div", "porch-api-languages");
  picker.setAttribute("role", "group");
  picker.setAttribute("aria-label", "Snippet language");
  const live = el(body, "p", "porch-api-live");
  live.setAttribute("aria-live", "polite");
  const choose = (language) => {
    for (const button of picker.querySelectorAll("button")) {
      button.setAttribute("aria-pressed", String(button.dataset.language === language));
    }
    for (const snippet of body.querySelectorAll(".porch-api-snippet")) {
      snippet.hidden = snippet.dataset.language !== language;
    }
  };
  for (const [language, label] of LANGUAGES) {
    const button = el(picker, "button", "porch-api-language", label);
    button.type = "button";
    button.dataset.language = language;
    button.addEventListener("click", () => choose(language));
  }

  for (const [name, endpoint] of endpoints) {
    endpointSection(body, name, endpoint, root, live);
  }
  choose("porch");
}

function endpointSection(body, name, endpoint, root, live) {
  const section = el(body, "section", "porch-api-endpoint");
  section.dataset.endpoint = name;
  const heading = el(section, "h3");
  el(heading, "code", null, name);
  if (endpoint.description) el(section, "p", "porch-api-description", endpoint.description);
  const params = endpoint.parameters ?? [];
  const returns = endpoint.returns ?? [];

  el(section, "h4", null, "Parameters");
  if (!params.length) {
    el(section, "p", "porch-api-none", "None.");
  } else {
    const table = el(section, "table", "porch-api-table");
    const headRow = el(el(table, "thead"), "tr");
    for (const text of ["Name", "Type", "Component", "Default"]) el(headRow, "th", null, text).scope = "col";
    const rows = el(table, "tbody");
    params.forEach((p, k) => {
      const row = el(rows, "tr");
      el(el(row, "td"), "code", null, paramName(p, k));
      el(row, "td", null, typeName(p));
      el(row, "td", null, p.component ?? "");
      const cell = el(row, "td");
      if (p.parameter_has_default) el(cell, "code", null, pyLiteral(p.parameter_default));
      else cell.textContent = "required";
    });
  }

  el(section, "h4", null, "Returns");
  if (!returns.length) {
    el(section, "p", "porch-api-none", "Nothing.");
  } else {
    const list = el(section, "ul", "porch-api-returns");
    returns.forEach((r, k) => {
      const item = el(list, "li");
      el(item, "code", null, r.label ?? `value_${k}`);
      item.append(` · ${typeName(r)}${r.component ? ` · ${r.component}` : ""}`);
    });
  }

  const code = {
    porch: pythonSnippet("porch", root, name, params),
    gradio: pythonSnippet("gradio_client", root, name, params),
    js: fetchSnippet(root, name, params),
    curl: curlSnippet(root, name, params),
  };
  for (const [language, label] of LANGUAGES) {
    const box = el(section, "div", "porch-api-snippet");
    box.dataset.language = language;
    const bar = el(box, "div", "porch-api-snippet-bar");
    el(bar, "span", null, label);
    const copy = el(bar, "button", "porch-api-copy", "Copy");
    copy.type = "button";
    copy.setAttribute("aria-label", `Copy the ${label} snippet for ${name}`);
    const pre = el(box, "pre");
    el(pre, "code", null, code[language]);
    copy.addEventListener("click", async () => {
      const ok = await copyText(code[language], pre);
      copy.textContent = ok ? "Copied" : "Select and copy";
      live.textContent = ok ? `Copied the ${label} snippet for ${name}.` : "Copying is not allowed here; the snippet is selected.";
      setTimeout(() => { copy.textContent = "Copy"; }, 1500);
    });
  }
}

async function copyText(text, pre) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // No clipboard access (an insecure origin, or permission refused): select it instead.
    const range = document.createRange();
    range.selectNodeContents(pre);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    return false;
  }
}

const paramName = (p, k) => p.parameter_name ?? p.label ?? `param_${k}`;
const typeName = (p) => p.python_type?.type ?? p.type?.type ?? "Any";
const isFile = (v) => v !== null && typeof v === "object" && v.meta?._type === FILE_TYPE;

/** An example value for a parameter: the app's example, else its default, else by type. */
function example(p) {
  if (p.example_input !== undefined && p.example_input !== null) return p.example_input;
  if (p.parameter_has_default) return p.parameter_default;
  const type = typeName(p);
  if (type === "str") return "Hello!!";
  if (type === "float" || type === "int") return 3;
  if (type === "bool") return true;
  return null;
}

/** A JSON value as Python source. JSON string escapes are valid in Python string literals. */
function pyLiteral(value) {
  if (value === null || value === undefined) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "None";
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(pyLiteral).join(", ")}]`;
  if (isFile(value)) return `handle_file(${JSON.stringify(value.url ?? value.path ?? "")})`;
  return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${pyLiteral(v)}`).join(", ")}}`;
}

function pythonSnippet(library, root, name, params) {
  const values = params.map(example);
  const needsFiles = JSON.stringify(values).includes(FILE_TYPE);
  const module = library === "porch" ? "porch" : "gradio_client";
  const lines = [`from ${module} import Client${needsFiles ? ", handle_file" : ""}`, ""];
  lines.push(`client = Client(${JSON.stringify(`${root}/`)})`);
  lines.push("result = client.predict(");
  params.forEach((p, k) => lines.push(`    ${paramName(p, k)}=${pyLiteral(values[k])},`));
  lines.push(`    api_name=${JSON.stringify(name)},`);
  lines.push(")");
  lines.push("print(result)");
  return lines.join("\n");
}

const shellQuote = (text) => `'${text.replace(/'/g, "'\\''")}'`;

function curlSnippet(root, name, params) {
  const path = name.replace(/^\//, "");
  const body = JSON.stringify({ data: params.map(example) });
  const call = `${root}/gradio_api/call/${path}`;
  return [
    `EVENT_ID=$(curl -s -X POST ${call} \\`,
    "  -H \"Content-Type: application/json\" \\",
    `  -d ${shellQuote(body)} \\`,
    "  | sed -E 's/.*\"event_id\": ?\"([^\"]+)\".*/\\1/')",
    `curl -N ${call}/$EVENT_ID`,
  ].join("\n");
}

/**
 * Plain fetch, no library: POST call/<name> for an event id, then read that event's stream to
 * its end. Written to run as it is in a module, a browser console or Node 18+ (top-level await).
 */
function fetchSnippet(root, name, params) {
  const path = name.replace(/^\//, "");
  const body = JSON.stringify({ data: params.map(example) });
  return [
    `const call = ${JSON.stringify(`${root}/gradio_api/call/${path}`)};`,
    "const posted = await fetch(call, {",
    '  method: "POST",',
    '  headers: { "Content-Type": "application/json" },',
    `  body: JSON.stringify(${body}),`,
    "});",
    "if (!posted.ok) throw new Error(`${posted.status}: ${await posted.text()}`);",
    "const { event_id } = await posted.json();",
    "// The result is a server-sent event stream: generating ..., then complete (or error).",
    "const stream = await (await fetch(`${call}/${event_id}`)).text();",
    'const frames = stream.trim().split("\\n\\n").map((frame) => ({',
    '  event: frame.match(/^event: (.*)$/m)?.[1],',
    '  data: JSON.parse(frame.match(/^data: (.*)$/m)?.[1] ?? "null"),',
    "}));",
    "const last = frames[frames.length - 1];",
    'if (last.event !== "complete") throw new Error(`the call failed: ${JSON.stringify(last.data)}`);',
    "console.log(last.data);",
  ].join("\n");
}
