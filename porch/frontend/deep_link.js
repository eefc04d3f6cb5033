// DeepLinkButton on the page (twin of porch/components/link_buttons.py and
// porch/server/deep_links.py). A click sends the page's current values to the server, which
// keeps a snapshot under a random id (only what a link may carry: the server decides), and
// the link is this page's URL with `?deep_link=<id>`. It goes to the clipboard, and on the
// button (`data-porch-link`) for browsers that refuse the clipboard. Opening it, porch.js
// asks for `./config?deep_link=<id>` and the page draws with the snapshot's values.

let app = null;

/** The running App (porch.js calls this once the page is drawn). */
export function attach(running) {
  app = running;
}

/** `?deep_link=` of this page's URL, for the config request ("" when there is none). */
export function configQuery() {
  const link = new URLSearchParams(location.search).get("deep_link");
  return link ? `?deep_link=${encodeURIComponent(link)}` : "";
}

function currentValues() {
  const values = {};
  for (const [id, inst] of app?.instances ?? []) {
    if (inst.type === "state") continue;
    try {
      const value = inst.api.value();
      if (value !== undefined) values[id] = value;
    } catch {
      // a component that cannot say its value is left out of the link
    }
  }
  return values;
}

/** Make a link to the page as it is now; resolves to its URL. */
export async function shareLink() {
  if (!app) throw new Error("The page is not ready yet.");
  const response = await fetch(new URL("./gradio_api/deep_link", document.baseURI), {
    method: "POST",
    credentials: "same-origin",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ session_hash: app.session, values: currentValues() }),
  });
  if (!response.ok) throw new Error(`The link could not be made (${response.status}).`);
  const id = String(await response.json());
  const url = new URL(location.href);
  url.hash = "";
  url.searchParams.set("deep_link", id);
  return url.href;
}

/** A DeepLinkButton's click: copy the link, read `copied_value` a moment, then the value. */
export async function copyLink(control, props, relabel) {
  let url;
  try {
    url = await shareLink();
  } catch (e) {
    console.warn("porch:", e.message);
    return;
  }
  control.dataset.porchLink = url;
  try {
    await navigator.clipboard.writeText(url);
  } catch {
    // no clipboard here (an insecure origin, or refused): the link stays on the button
  }
  relabel(props.copied_value ?? "Link Copied!");
  setTimeout(() => relabel(null), 1500);
}
