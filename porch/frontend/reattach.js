// Durable jobs across a page reload (docs/durable-jobs.md): the page notes each running
// event in sessionStorage (this tab only, gone with it) and forgets it when it ends. A page
// that loads and finds events a previous load left running follows them again on their
// session's stream from its first kept message, so the outputs catch up and go on to the
// final value. The server checks that the session is this browser's (its client cookie).

import { QueueStream } from "./stream.js";
import { follow } from "./event_messages.js";
import { toast } from "./toasts.js";

const KEY = `porch:running:${location.pathname}`;

function load() {
  try {
    const all = JSON.parse(sessionStorage.getItem(KEY) ?? "{}");
    return all && typeof all === "object" ? all : {};
  } catch {
    return {};
  }
}

function save(all) {
  try {
    if (Object.keys(all).length) sessionStorage.setItem(KEY, JSON.stringify(all));
    else sessionStorage.removeItem(KEY);
  } catch {
    // Storage off or full: reloads then simply start afresh.
  }
}

/** Note a running event (its session and dependency), for a reload to follow. */
export function remember(session, eventId, depId) {
  const all = load();
  (all[session] ??= []).push({ eventId, depId });
  save(all);
}

/** The event ended (or cannot be followed): nothing to follow after a reload. */
export function forget(session, eventId) {
  const all = load();
  const left = (all[session] ?? []).filter((e) => e.eventId !== eventId);
  if (left.length) all[session] = left;
  else delete all[session];
  save(all);
}

function statusOf(app, dep) {
  const owner = {};
  const outputs = (dep.outputs ?? []).map((id) => app.instances.get(id)).filter((i) => i && i.type !== "state");
  const show = dep.show_progress ?? "full";
  return (s) => {
    for (const inst of outputs) {
      if (s) {
        inst.owner = owner;
        inst.frame.status({ show, stop: null, ...s });
      } else if (inst.owner === owner) {
        inst.owner = null;
        inst.frame.status(null);
      }
    }
  };
}

/** Follow again the events a previous load of this page left running (in other sessions). */
export function resumeRunning(app, url) {
  for (const [session, events] of Object.entries(load())) {
    if (session === app.session || !Array.isArray(events)) continue;
    const stream = new QueueStream(url(`./gradio_api/queue/data?session_hash=${encodeURIComponent(session)}`), {
      onError: (text) => toast({ level: "error", title: "Server error", message: text, duration: null }),
    });
    // The app as follow() sees it, but reading the old session's stream.
    const view = Object.create(app, { stream: { value: stream } });
    for (const { eventId, depId } of events) {
      const dep = app.dependencies.find((d) => d.id === depId);
      if (!dep) {
        forget(session, eventId);
        continue;
      }
      follow(view, dep, eventId, statusOf(app, dep)).then(() => forget(session, eventId));
    }
  }
}
