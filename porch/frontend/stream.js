// The page's side of the queue protocol (sse_v3, see PROTOCOL.md §3 and §5.1): joining,
// the one per-session message stream, generator diffs, cancelling and the heartbeat.
// It mirrors porch/protocol.py by hand.

/** A request the server refused: `status`, and the server's `detail` as text. */
export class RequestError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** The server's `detail` (a string, an object or FastAPI's list of problems) as text. */
export function detailText(body, fallback) {
  const detail = body && typeof body === "object" && "detail" in body ? body.detail : body;
  if (typeof detail === "string" && detail) return detail;
  if (Array.isArray(detail)) {
    return detail.map((d) => {
      const where = d?.parameter_name ?? (Array.isArray(d?.loc) ? d.loc.join(".") : null);
      const what = d?.message ?? d?.msg ?? JSON.stringify(d);
      return where ? `${where}: ${what}` : what;
    }).join("\n");
  }
  if (detail && typeof detail === "object") return detail.error ?? detail.message ?? JSON.stringify(detail);
  return fallback;
}

// The page's proof for UI-only events (api_visibility="private"): the server put it in the
// page shell for this browser's cookie; API clients never see it (server/event_access.py).
const pageProof = () => globalThis.document?.querySelector('meta[name="porch-page-proof"]')?.content ?? "";

async function post(url, body) {
  let response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "x-gradio-user": "app", "x-porch-page-proof": pageProof() },
      credentials: "same-origin",
      body: JSON.stringify(body),
    });
  } catch (e) {
    throw new RequestError(0, `Could not reach the server (${e.message}).`);
  }
  const text = await response.text();
  let parsed = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // A plain-text reply (e.g. an unhandled 500) is kept as text.
  }
  if (!response.ok) {
    const error = new RequestError(response.status, detailText(parsed, text.trim() || `${response.status} ${response.statusText}`));
    error.output = parsed;
    throw error;
  }
  return parsed;
}

/** POST queue/join; resolves to the event id. */
export async function join(url, body) {
  const reply = await post(url, body);
  if (!reply || typeof reply.event_id !== "string") {
    throw new RequestError(200, "The server did not return an event id.");
  }
  return reply.event_id;
}

/**
 * POST run/<api_name>: a direct call that skips the queue (events with queue=False).
 * Resolves to the output ({data} or, when the function failed, {error, ...}).
 */
export async function runDirect(url, body) {
  try {
    return await post(url, body);
  } catch (e) {
    // A failed function answers 500 with its error output: that is a result, not a fault.
    if (e.status === 500 && e.output && typeof e.output === "object" && "error" in e.output) return e.output;
    throw e;
  }
}

/** POST cancel (then reset, as Gradio's page does); failures are ignored. */
export async function cancel(base, body) {
  try {
    await post(new URL("./gradio_api/cancel", base), body);
    await post(new URL("./gradio_api/reset", base), { event_id: body.event_id });
  } catch {
    // The event may have finished meanwhile; nothing to undo.
  }
}

/**
 * POST stream/<event_id>: the next chunk of an open streaming-input event. Resolves to
 * false once the server no longer has the stream (it ended: closed, time_limit).
 */
export async function sendChunk(base, eventId, body) {
  try {
    await post(new URL(`./gradio_api/stream/${encodeURIComponent(eventId)}`, base), body);
    return true;
  } catch (e) {
    return e.status !== 404;
  }
}

/** POST stream/<event_id>/close: the user stopped; failures are ignored. */
export async function closeStream(base, eventId) {
  try {
    await post(new URL(`./gradio_api/stream/${encodeURIComponent(eventId)}/close`, base), {});
  } catch {
    // Already ended.
  }
}

/** Apply §3.5 edit operations ([action, path, value]) to a copy of `value`. */
export function applyDiff(value, edits) {
  let result = structuredClone(value);
  for (const [action, path, next] of edits) {
    if (!path.length) {
      if (action === "append") result = result + next;
      else if (action === "delete") result = null;
      else result = next;
      continue;
    }
    let parent = result;
    for (const key of path.slice(0, -1)) parent = parent[key];
    const last = path[path.length - 1];
    if (action === "replace") parent[last] = next;
    else if (action === "append") parent[last] = parent[last] + next;
    else if (action === "add") {
      if (Array.isArray(parent)) parent.splice(last, 0, next);
      else parent[last] = next;
    } else if (action === "delete") {
      if (Array.isArray(parent)) parent.splice(last, 1);
      else delete parent[last];
    } else {
      throw new Error(`unknown diff action ${action}`);
    }
  }
  return result;
}

/**
 * `{ id, msg }` per frame of a fetch body: the frame's `id:` (porch's message id, or null)
 * and its `data:` as parsed JSON (or the raw text if not JSON).
 */
async function* frames(response) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let cut;
    while ((cut = buffer.search(/\r?\n\r?\n/)) >= 0) {
      const frame = buffer.slice(0, cut);
      buffer = buffer.slice(cut).replace(/^\r?\n\r?\n/, "");
      const lines = frame.split(/\r?\n/);
      const data = lines.filter((l) => l.startsWith("data:"))
        .map((l) => l.slice(5).replace(/^ /, "")).join("\n");
      if (!data) continue;
      const idLine = lines.find((l) => /^id: ?\d+$/.test(l));
      const id = idLine ? Number(idLine.replace(/^id: ?/, "")) : null;
      try {
        yield { id, msg: JSON.parse(data) };
      } catch {
        yield { id, msg: data };
      }
    }
  }
}

// A stream that broke off is reattached this many times, the waits doubling up to 4 s (about
// 25 s in all: the server gives a client 30 s, reattach_grace, to come back).
const RESUME_TRIES = 9;

/**
 * The session's one message stream (`queue/data`), shared by every event of the page.
 * Handlers are `{ message(msg), fail(text) }`, one per event id.
 *
 * Durable (docs/durable-jobs.md): it sends the id of the last message it read
 * (`last_event_id`), so a stream that broke off (network, sleep) is reattached from there and
 * every message arrives once, in order. A refused reattach (4xx: the results are gone, or
 * the session is not this browser's) fails the pending events at once.
 */
export class QueueStream {
  constructor(url, { onError } = {}) {
    this.url = url;
    this.onError = onError ?? (() => {});
    this.handlers = new Map();
    this.early = new Map(); // messages that arrived before their join returned
    this.controller = null;
    this.failures = 0;
    this.cursor = 0; // the id of the last message read
  }

  watch(eventId, handler) {
    this.handlers.set(eventId, handler);
    const waiting = this.early.get(eventId);
    this.early.delete(eventId);
    for (const msg of waiting ?? []) {
      if (this.handlers.get(eventId) === handler) handler.message(msg);
    }
    if (this.handlers.has(eventId)) this.open();
  }

  unwatch(eventId) {
    this.handlers.delete(eventId);
  }

  open() {
    if (this.controller) return;
    const controller = new AbortController();
    this.controller = controller;
    this.read(controller);
  }

  stop(controller = this.controller) {
    if (!controller) return;
    controller.abort();
    if (this.controller === controller) this.controller = null;
  }

  async read(controller) {
    let problem = null;
    const url = new URL(this.url);
    url.searchParams.set("last_event_id", String(this.cursor));
    try {
      const response = await fetch(url, {
        signal: controller.signal,
        headers: { accept: "text/event-stream" },
        credentials: "same-origin",
        cache: "no-store",
      });
      if (!response.ok) {
        problem = `The event stream was refused (${response.status}).`;
        if (response.status < 500 && response.status !== 429) {
          // Refused for good (see the class comment): no retry would change the answer.
          const text = await response.text().catch(() => "");
          let body = text;
          try { body = JSON.parse(text); } catch { /* plain text */ }
          if (this.controller === controller) this.controller = null;
          this.failAll(detailText(body, problem));
          return;
        }
      } else {
        for await (const { id, msg } of frames(response)) {
          if (id != null) {
            if (id <= this.cursor) continue; // read before the break
            this.cursor = id;
          }
          this.failures = 0;
          this.dispatch(msg, controller);
          if (controller.signal.aborted) return;
        }
      }
    } catch (e) {
      if (controller.signal.aborted) return;
      problem = `Lost connection to the server (${e.message}).`;
    }
    if (this.controller !== controller) return;
    this.controller = null;
    if (!this.handlers.size) return;
    // The stream ended while events were pending: reattach from the cursor a while, then
    // give up on them.
    this.failures += 1;
    if (this.failures <= RESUME_TRIES) {
      setTimeout(() => this.open(), Math.min(125 * 2 ** this.failures, 4000));
      return;
    }
    this.failures = 0;
    this.failAll(problem ?? "The connection to the server closed before the result arrived.");
  }

  dispatch(msg, controller) {
    if (!msg || typeof msg !== "object") return;
    if (msg.msg === "heartbeat") return;
    if (msg.msg === "close_stream") {
      this.stop(controller);
      // An event joined after the server decided to close: its messages wait on the server.
      if (this.handlers.size) this.open();
      return;
    }
    if (msg.msg === "unexpected_error") {
      this.onError(msg.message ?? "The server reported an unexpected error.");
      this.failAll(null);
      return;
    }
    if (msg.event_id == null) {
      for (const handler of [...this.handlers.values()]) handler.message(msg);
      return;
    }
    const handler = this.handlers.get(msg.event_id);
    if (handler) {
      handler.message(msg);
    } else {
      const list = this.early.get(msg.event_id) ?? [];
      list.push(msg);
      this.early.set(msg.event_id, list);
      if (this.early.size > 256) this.early.delete(this.early.keys().next().value);
    }
  }

  failAll(text) {
    for (const [id, handler] of [...this.handlers]) {
      this.handlers.delete(id);
      handler.fail(text);
    }
  }
}

/**
 * Keep the session's heartbeat stream open (PROTOCOL.md §5.1), reconnecting with backoff.
 * Returns a function that stops it.
 */
export function keepAlive(url) {
  let controller = null;
  let stopped = false;
  let delay = 1000;
  async function connect() {
    if (stopped) return;
    controller = new AbortController();
    const opened = Date.now();
    try {
      const response = await fetch(url, { signal: controller.signal, credentials: "same-origin", cache: "no-store" });
      if (response.ok && response.body) {
        const reader = response.body.getReader();
        while (!(await reader.read()).done) { /* only its being open matters */ }
      }
    } catch {
      // Dropped; reconnect below.
    }
    if (stopped) return;
    if (Date.now() - opened > 30000) delay = 1000;
    setTimeout(connect, delay);
    delay = Math.min(delay * 2, 30000);
  }
  connect();
  return () => {
    stopped = true;
    controller?.abort();
  };
}
