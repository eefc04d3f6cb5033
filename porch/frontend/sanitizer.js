// An allow-list HTML sanitiser for the HTML component.
//
// The source is parsed in a <template> into an inert document (nothing in it runs or loads), and
// only allowed elements and attributes are copied into the live page: scripts, frames,
// objects, forms, inline event handlers and script-capable URLs never arrive. Unknown
// elements are dropped but their text is kept; dangerous ones are dropped whole.

const ALLOWED = new Set([
  "a", "abbr", "address", "article", "aside", "b", "bdi", "bdo", "blockquote", "br", "caption",
  "center", "cite", "code", "col", "colgroup", "dd", "del", "details", "dfn", "div", "dl", "dt",
  "em", "figcaption", "figure", "font", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header",
  "hr", "i", "img", "ins", "kbd", "label", "li", "main", "mark", "nav", "ol", "p", "picture",
  "pre", "q", "rp", "rt", "ruby", "s", "samp", "section", "small", "source", "span", "strike",
  "strong", "style", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead",
  "time", "tr", "tt", "u", "ul", "var", "wbr", "audio", "video", "track", "meter", "progress",
  "button",
  // Static SVG drawing (no scripts, links, animation or foreign content).
  "svg", "g", "path", "circle", "ellipse", "line", "polyline", "polygon", "rect", "text",
  "tspan", "defs", "lineargradient", "radialgradient", "stop", "desc", "clippath",
]);
// Dropped with everything inside them.
const DROPPED = new Set([
  "script", "iframe", "frame", "frameset", "object", "embed", "applet", "template", "noscript",
  "noembed", "input", "textarea", "select", "option", "base", "link", "meta", "head",
  "title", "math", "foreignobject", "animate", "animatemotion", "animatetransform", "set",
  "use", "portal", "dialog",
]);
const ATTRIBUTES = new Set([
  "align", "alt", "border", "cellpadding", "cellspacing", "class", "color", "cols", "colspan",
  "controls", "datetime", "dir", "disabled", "face", "headers", "height", "hidden", "high",
  "href", "id", "kind", "label", "lang", "loop", "low", "max", "min", "muted", "open",
  "optimum", "poster", "preload", "rel", "rows", "rowspan", "scope", "size", "span", "src",
  "srclang", "srcset", "start", "style", "summary", "target", "title", "type", "valign",
  "value", "width", "role", "tabindex", "playsinline", "reversed", "sizes",
  // SVG presentation.
  "viewbox", "d", "cx", "cy", "r", "rx", "ry", "x", "y", "x1", "x2", "y1", "y2", "points",
  "fill", "stroke", "stroke-width", "stroke-linecap", "stroke-linejoin", "stroke-dasharray",
  "opacity", "fill-opacity", "stroke-opacity", "transform", "offset", "stop-color",
  "stop-opacity", "font-size", "font-family", "font-weight", "text-anchor",
  "dominant-baseline", "xmlns", "preserveaspectratio", "gradientunits", "gradienttransform",
  "fill-rule", "clip-rule", "clip-path", "vector-effect",
]);
const URL_ATTRIBUTES = new Set(["href", "src", "poster"]);
const LINK_SCHEMES = new Set(["http:", "https:", "mailto:"]);
const MEDIA_SCHEMES = new Set(["http:", "https:", "blob:"]);
const DATA_IMAGE = /^data:image\/(png|jpe?g|gif|webp|bmp|avif);base64,[A-Za-z0-9+/=\s]*$/i;
const MAX_DEPTH = 64;
const TAG = /<[a-zA-Z][^>]*>/g;
const HANDLER = /([\s/"'])(on[a-zA-Z]+\s*=)/gi;

/** The URL to keep for `raw` in attribute `name`, or null to drop the attribute. */
function safeUrl(name, raw) {
  const text = String(raw).trim();
  if (name !== "href" && DATA_IMAGE.test(text)) return text;
  let url;
  try {
    url = new URL(text, document.baseURI);
  } catch {
    return null;
  }
  const schemes = name === "href" ? LINK_SCHEMES : MEDIA_SCHEMES;
  return schemes.has(url.protocol) ? text : null;
}

function copyAttributes(from, to) {
  for (const attr of Array.from(from.attributes)) {
    const name = attr.name.toLowerCase();
    const keep = ATTRIBUTES.has(name) || name.startsWith("aria-") || name.startsWith("data-");
    if (!keep || name.startsWith("on") || name.startsWith("data-porch-dropped-")) continue;
    let value = attr.value;
    if (URL_ATTRIBUTES.has(name)) {
      value = safeUrl(name, value);
      if (value == null) continue;
    } else if (name === "srcset") {
      // Every candidate must be a safe URL, or the whole attribute goes.
      const ok = value.split(",").every((part) => safeUrl("src", part.trim().split(/\s+/)[0] || "") != null);
      if (!ok) continue;
    }
    try {
      to.setAttribute(attr.name, value);
    } catch {
      // An attribute name the live DOM refuses is simply left out.
    }
  }
  if (to.localName === "a") {
    // Links leave the app in a new tab and never hand it `window.opener`.
    if (to.getAttribute("target") && to.getAttribute("target") !== "_self") to.setAttribute("rel", "noopener noreferrer");
  }
  if (to.localName === "button") to.setAttribute("type", "button");
}

function copyChildren(from, to, depth) {
  for (const node of Array.from(from.childNodes)) {
    if (node.nodeType === Node.TEXT_NODE) {
      to.appendChild(document.createTextNode(node.data));
      continue;
    }
    if (node.nodeType !== Node.ELEMENT_NODE) continue;
    const name = node.localName.toLowerCase();
    if (DROPPED.has(name)) continue;
    if (depth >= MAX_DEPTH || !ALLOWED.has(name)) {
      if (depth < MAX_DEPTH) copyChildren(node, to, depth + 1);
      else to.appendChild(document.createTextNode(node.textContent ?? ""));
      continue;
    }
    const copy = node.namespaceURI === "http://www.w3.org/2000/svg"
      ? document.createElementNS(node.namespaceURI, node.localName)
      : document.createElement(name);
    copyAttributes(node, copy);
    if (name === "style") {
      // CSS stays CSS: it is shadow-scoped by the HTML component and never becomes markup.
      copy.textContent = node.textContent;
    } else {
      copyChildren(node, copy, depth + 1);
    }
    to.appendChild(copy);
  }
}

/** HTML source -> a DocumentFragment holding only allowed elements and attributes. */
export function sanitizeHtml(source) {
  // A <template>'s content is parsed into an inert document: no script runs and nothing
  // loads. Chromium still checks inline handlers against the page's CSP while parsing (and
  // logs a violation), so handler attributes are renamed first; the copy drops them anyway.
  const inert = document.createElement("template");
  inert.innerHTML = String(source ?? "").replace(TAG, (tag) => tag.replace(HANDLER, "$1data-porch-dropped-$2"));
  const fragment = document.createDocumentFragment();
  copyChildren(inert.content, fragment, 0);
  return fragment;
}
