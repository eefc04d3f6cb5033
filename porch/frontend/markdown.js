// A small Markdown renderer for untrusted text.
//
// It builds DOM nodes (createElement + textContent), so nothing in the source is ever parsed
// as HTML: raw tags show as text, and a link or image is made only for http(s) (and mailto
// for links) URLs. Supported: headings, paragraphs, emphasis, strikethrough, code spans and
// blocks, links, autolinks, images, lists, blockquotes, tables, rules and hard line breaks.

const MAX_DEPTH = 16;
const LINK_SCHEMES = new Set(["http:", "https:", "mailto:"]);
const IMAGE_SCHEMES = new Set(["http:", "https:"]);
const PUNCT = /[!-/:-@[-`{-~]/;

/** Markdown source -> DocumentFragment. */
export function renderMarkdown(source) {
  const fragment = document.createDocumentFragment();
  const lines = String(source ?? "").replace(/\r\n?/g, "\n").replace(/\t/g, "    ").split("\n");
  blocks(lines, fragment, 0);
  return fragment;
}

/** The URL to use for `raw`, or null when its scheme is not allowed. */
export function safeUrl(raw, schemes = LINK_SCHEMES) {
  let url;
  try {
    url = new URL(raw.trim(), document.baseURI);
  } catch {
    return null;
  }
  return schemes.has(url.protocol) ? url.href : null;
}

const el = (tag, parent) => (parent ? parent.appendChild(document.createElement(tag)) : document.createElement(tag));

// ---- blocks -------------------------------------------------------------------------------

const FENCE = /^ {0,3}(`{3,}|~{3,})[ ]*([^`\s]*)[^`]*$/;
const HEADING = /^ {0,3}(#{1,6})(?:[ ]+(.*?))?(?:[ ]+#+)?[ ]*$/;
const RULE = /^ {0,3}([-*_])(?:[ ]*\1){2,}[ ]*$/;
const QUOTE = /^ {0,3}> ?(.*)$/;
const ITEM = /^( {0,3})([-*+]|\d{1,9}[.)])(?:( {1,4})(.*))?$/;
const INDENTED = /^ {4}/;
const BLANK = /^[ ]*$/;
const TABLE_RULE = /^ {0,3}\|?[ ]*:?-+:?[ ]*(\|[ ]*:?-+:?[ ]*)*\|?[ ]*$/;

function startsBlock(line) {
  return FENCE.test(line) || HEADING.test(line) || RULE.test(line) || QUOTE.test(line)
    || /^ {0,3}([-*+]|1[.)]) +\S/.test(line);
}

function blocks(lines, parent, depth) {
  if (depth > MAX_DEPTH) {
    el("p", parent).textContent = lines.join("\n");
    return;
  }
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    let m;
    if (BLANK.test(line)) {
      i += 1;
    } else if ((m = FENCE.exec(line))) {
      const fence = m[1];
      const close = new RegExp(`^ {0,3}${fence[0] === "`" ? "`" : "~"}{${fence.length},}[ ]*$`);
      const body = [];
      for (i += 1; i < lines.length && !close.test(lines[i]); i += 1) body.push(lines[i]);
      i += 1;
      const code = el("code", el("pre", parent));
      if (m[2]) code.className = `language-${m[2].replace(/[^A-Za-z0-9_+-]/g, "")}`;
      code.textContent = body.join("\n");
    } else if ((m = HEADING.exec(line))) {
      inline(m[2] ?? "", el(`h${m[1].length}`, parent), 0);
      i += 1;
    } else if (RULE.test(line)) {
      el("hr", parent);
      i += 1;
    } else if (QUOTE.test(line)) {
      const inner = [];
      while (i < lines.length && !BLANK.test(lines[i])) {
        const q = QUOTE.exec(lines[i]);
        if (!q && startsBlock(lines[i])) break;
        inner.push(q ? q[1] : lines[i]);
        i += 1;
      }
      blocks(inner, el("blockquote", parent), depth + 1);
    } else if (ITEM.test(line)) {
      i = list(lines, i, parent, depth);
    } else if (i + 1 < lines.length && line.includes("|") && TABLE_RULE.test(lines[i + 1])
               && lines[i + 1].includes("-")) {
      i = table(lines, i, parent);
    } else if (INDENTED.test(line)) {
      const body = [];
      while (i < lines.length && (INDENTED.test(lines[i]) || BLANK.test(lines[i]))) {
        body.push(lines[i].slice(4));
        i += 1;
      }
      while (body.length && BLANK.test(body[body.length - 1])) body.pop();
      el("code", el("pre", parent)).textContent = body.join("\n");
    } else {
      const para = [];
      while (i < lines.length && !BLANK.test(lines[i]) && (para.length === 0 || !startsBlock(lines[i]))) {
        para.push(lines[i]);
        i += 1;
      }
      inline(para.map((l) => l.replace(/^ +/, "")).join("\n").replace(/[ ]+$/, ""), el("p", parent), 0);
    }
  }
}

function list(lines, start, parent, depth) {
  const first = ITEM.exec(lines[start]);
  const ordered = /\d/.test(first[2]);
  const marker = ordered ? first[2].slice(-1) : first[2];
  const node = el(ordered ? "ol" : "ul", parent);
  if (ordered) {
    const n = parseInt(first[2], 10);
    if (n !== 1) node.start = n;
  }
  let loose = false;
  let i = start;
  const items = [];
  while (i < lines.length) {
    const m = ITEM.exec(lines[i]);
    if (!m || (ordered ? m[2].slice(-1) !== marker || !/\d/.test(m[2]) : m[2] !== marker)) break;
    const indent = m[1].length + m[2].length + (m[3] ? m[3].length : 1);
    const body = [m[4] ?? ""];
    let sawBlank = false;
    for (i += 1; i < lines.length; i += 1) {
      const line = lines[i];
      if (BLANK.test(line)) {
        sawBlank = true;
        body.push("");
        continue;
      }
      const lead = line.length - line.trimStart().length;
      if (lead >= indent) {
        if (sawBlank) loose = true;
        sawBlank = false;
        body.push(line.slice(indent));
      } else if (!sawBlank && !ITEM.test(line) && !startsBlock(line)) {
        body.push(line.trimStart()); // a lazy continuation of the item's paragraph
      } else {
        break;
      }
    }
    while (body.length > 1 && BLANK.test(body[body.length - 1])) body.pop();
    items.push(body);
    const next = i < lines.length ? ITEM.exec(lines[i]) : null;
    if (sawBlank && next) loose = true;
    if (sawBlank && !next) break;
  }
  for (const body of items) {
    const li = el("li", node);
    blocks(body, li, depth + 1);
    if (!loose) {
      for (const p of [...li.children].filter((c) => c.tagName === "P")) p.replaceWith(...p.childNodes);
    }
  }
  return i;
}

function cells(line) {
  let text = line.trim();
  if (text.startsWith("|")) text = text.slice(1);
  if (text.endsWith("|") && !text.endsWith("\\|")) text = text.slice(0, -1);
  const out = [];
  let cell = "";
  for (let i = 0; i < text.length; i += 1) {
    if (text[i] === "\\" && text[i + 1] === "|") {
      cell += "|";
      i += 1;
    } else if (text[i] === "|") {
      out.push(cell.trim());
      cell = "";
    } else {
      cell += text[i];
    }
  }
  out.push(cell.trim());
  return out;
}

function table(lines, start, parent) {
  const head = cells(lines[start]);
  const align = cells(lines[start + 1]).map((c) =>
    c.startsWith(":") && c.endsWith(":") ? "center" : c.endsWith(":") ? "right" : c.startsWith(":") ? "left" : "");
  const wrap = el("div", parent);
  wrap.className = "porch-table";
  const node = el("table", wrap);
  const row = el("tr", el("thead", node));
  head.forEach((text, k) => {
    const th = el("th", row);
    if (align[k]) th.style.textAlign = align[k];
    inline(text, th, 0);
  });
  const body = el("tbody", node);
  let i = start + 2;
  for (; i < lines.length && !BLANK.test(lines[i]) && lines[i].includes("|"); i += 1) {
    const tr = el("tr", body);
    const values = cells(lines[i]);
    head.forEach((_, k) => {
      const td = el("td", tr);
      if (align[k]) td.style.textAlign = align[k];
      inline(values[k] ?? "", td, 0);
    });
  }
  return i;
}

// ---- inline -------------------------------------------------------------------------------

const isSpace = (c) => c === undefined || /\s/.test(c);
const isWord = (c) => c !== undefined && /[\p{L}\p{N}]/u.test(c);

function inline(text, parent, depth) {
  if (depth > MAX_DEPTH) {
    parent.append(text);
    return;
  }
  let buffer = "";
  const flush = () => {
    if (buffer) parent.append(buffer);
    buffer = "";
  };
  const noCloser = new Map(); // delimiter -> start position after which none was found
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    let m;
    if (c === "\\" && i + 1 < text.length && PUNCT.test(text[i + 1])) {
      buffer += text[i + 1];
      i += 2;
    } else if (c === "\\" && text[i + 1] === "\n") {
      flush();
      el("br", parent);
      i += 2;
    } else if (c === "\n") {
      if (/ {2,}$/.test(buffer)) {
        buffer = buffer.replace(/ +$/, "");
        flush();
        el("br", parent);
      } else {
        buffer = buffer.replace(/ +$/, "") + "\n";
      }
      i += 1;
    } else if (c === "`") {
      const run = /^`+/.exec(text.slice(i))[0];
      const end = findRun(text, run, i + run.length);
      if (end < 0) {
        buffer += run;
        i += run.length;
      } else {
        flush();
        let code = text.slice(i + run.length, end).replace(/\n/g, " ");
        if (/^ .*[^ ].* $/.test(code) || /^ [^ ] $/.test(code)) code = code.slice(1, -1);
        el("code", parent).textContent = code;
        i = end + run.length;
      }
    } else if ((c === "[" || (c === "!" && text[i + 1] === "[")) && (m = link(text, c === "!" ? i + 1 : i))) {
      flush();
      const image = c === "!";
      const href = safeUrl(m.dest, image ? IMAGE_SCHEMES : LINK_SCHEMES);
      if (image && href) {
        const img = el("img", parent);
        img.alt = plain(m.label);
        img.src = href;
        img.loading = "lazy";
        img.referrerPolicy = "no-referrer";
        if (m.title) img.title = m.title;
      } else if (image) {
        parent.append(plain(m.label));
      } else if (href) {
        const a = anchor(href, parent);
        if (m.title) a.title = m.title;
        inline(m.label, a, depth + 1);
      } else {
        inline(m.label, parent, depth + 1);
      }
      i = m.end;
    } else if (c === "<" && (m = /^<([A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*)>/.exec(text.slice(i)))) {
      const href = safeUrl(m[1]);
      if (href) {
        flush();
        anchor(href, parent).textContent = m[1];
      } else {
        buffer += m[0];
      }
      i += m[0].length;
    } else if (c === "<" && (m = /^<([^\s<>@]+@[^\s<>@]+\.[^\s<>@]+)>/.exec(text.slice(i)))) {
      flush();
      anchor(`mailto:${m[1]}`, parent).textContent = m[1];
      i += m[0].length;
    } else if (c === "h" && !isWord(text[i - 1]) && (m = /^https?:\/\/[^\s<]*[^\s<.,:;"')\]!?*_~]/.exec(text.slice(i)))) {
      const href = safeUrl(m[0]);
      flush();
      if (href) anchor(href, parent).textContent = m[0];
      else parent.append(m[0]);
      i += m[0].length;
    } else if (c === "~" && text[i + 1] === "~" && (m = emphasis(text, i, "~~", noCloser))) {
      flush();
      inline(m.inner, el("del", parent), depth + 1);
      i = m.end;
    } else if ((c === "*" || c === "_") && text.startsWith(c + c + c, i) && (m = emphasis(text, i, c + c + c, noCloser))) {
      flush();
      inline(m.inner, el("strong", el("em", parent)), depth + 1);
      i = m.end;
    } else if ((c === "*" || c === "_") && text[i + 1] === c && (m = emphasis(text, i, c + c, noCloser))) {
      flush();
      inline(m.inner, el("strong", parent), depth + 1);
      i = m.end;
    } else if ((c === "*" || c === "_") && (m = emphasis(text, i, c, noCloser))) {
      flush();
      inline(m.inner, el("em", parent), depth + 1);
      i = m.end;
    } else if (c === "*" || c === "_" || c === "~") {
      const run = new RegExp(`^\\${c}+`).exec(text.slice(i))[0];
      buffer += run;
      i += run.length;
    } else {
      buffer += c;
      i += 1;
    }
  }
  flush();
}

function anchor(href, parent) {
  const a = el("a", parent);
  a.href = href;
  a.rel = "noopener noreferrer";
  if (!href.startsWith("mailto:")) a.target = "_blank";
  return a;
}

/** The index of the next run of exactly `run` backticks at or after `from`, or -1. */
function findRun(text, run, from) {
  for (let j = text.indexOf(run, from); j >= 0; j = text.indexOf(run, j + 1)) {
    if (text[j - 1] !== "`" && text[j + run.length] !== "`") return j;
    while (text[j + 1] === "`") j += 1;
  }
  return -1;
}

/** `[label](dest "title")` starting at the "[" at `start`, or null. */
function link(text, start) {
  let depth = 0;
  let j = start;
  for (; j < text.length; j += 1) {
    const c = text[j];
    if (c === "\\") j += 1;
    else if (c === "[") depth += 1;
    else if (c === "]" && --depth === 0) break;
  }
  if (j >= text.length || text[j + 1] !== "(") return null;
  const label = text.slice(start + 1, j);
  const m = /^\(\s*(?:<([^<>\n]*)>|((?:[^\s()\\]|\\.|\((?:[^\s()\\]|\\.)*\))*))(?:\s+("[^"]*"|'[^']*'))?\s*\)/.exec(text.slice(j + 1));
  if (!m) return null;
  const dest = (m[1] ?? m[2] ?? "").replace(/\\(.)/g, "$1");
  return { label, dest, title: m[3] ? m[3].slice(1, -1) : null, end: j + 1 + m[0].length };
}

/** A closed run of `delim` starting at `start`: { inner, end } or null. */
function emphasis(text, start, delim, noCloser) {
  const size = delim.length;
  const opens = !isSpace(text[start + size]) && (delim[0] !== "_" || !isWord(text[start - 1]));
  if (!opens || text[start + size] === delim[0] && size === 1) return null;
  const from = start + size + 1;
  if (noCloser.has(delim) && noCloser.get(delim) <= from) return null;
  for (let j = text.indexOf(delim, from); j >= 0; j = text.indexOf(delim, j + 1)) {
    if (text[j - 1] === "\\") continue;
    const ch = delim[0];
    if (size === 1 && (text[j + 1] === ch || text[j - 1] === ch)) {
      while (text[j + 1] === ch) j += 1;
      continue;
    }
    const closes = !isSpace(text[j - 1]) && (ch !== "_" || !isWord(text[j + size]));
    if (closes) return { inner: text.slice(start + size, j), end: j + size };
  }
  noCloser.set(delim, Math.min(noCloser.get(delim) ?? Infinity, from));
  return null;
}

function plain(label) {
  return label.replace(/\\(.)/g, "$1").replace(/[*_`~[\]]/g, "");
}
