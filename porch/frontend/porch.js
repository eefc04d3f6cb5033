// porch's page: boot from ./config, render the layout, wire events to the queue, and show
// results, progress and toasts. Component drawing lives in components/*.js; the queue
// protocol in stream.js. Every URL is relative to the page, so the app can sit under a prefix.

import { frame } from "./components/base.js";
import { load } from "./components/registry.js";
import { QueueStream, cancel, closeStream, join, keepAlive, runDirect, sendChunk } from "./stream.js";
import { toast } from "./toasts.js";
import { GENERIC_ERROR, follow } from "./event_messages.js";
import { forget, remember, resumeRunning } from "./reattach.js";
import { setSession } from "./components/server_fn.js";
import { login, loginControl, logoutControl } from "./login.js";
import { currentPage, deepLinks, navbar, pageView } from "./pages.js";
import { translate, useTranslations } from "./i18n.js";
import { attach as attachDeepLinks, configQuery } from "./deep_link.js";

const here = (path) => new URL(path, document.baseURI);

function sessionHash() {
  const bytes = crypto.getRandomValues(new Uint8Array(10));
  return Array.from(bytes, (b) => b.toString(36).padStart(2, "0")).join("");
}

const isUpdate = (value) => value !== null && typeof value === "object" && value.__type__ === "update";

class App {
  constructor(config, mount) {
    this.config = config;
    this.mount = mount;
    this.session = sessionHash();
    setSession(this.session);
    this.components = new Map((config.components ?? []).map((c) => [c.id, c]));
    this.dependencies = config.dependencies ?? [];
    this.instances = new Map();
    this.running = new Map(); // dependency id -> Set of runs
    this.renders = new Map(); // render id -> { ids, deps } of what it last drew
    this.index();
    this.stream = new QueueStream(here(`./gradio_api/queue/data?session_hash=${encodeURIComponent(this.session)}`), {
      onError: (text) => toast({ level: "error", title: "Server error", message: text, duration: null }),
    });
  }

  /** Index the dependencies by trigger (again after a @render adds or drops some). */
  index() {
    this.triggers = new Map(); // "id:event" -> [dependency]
    for (const dep of this.dependencies) {
      for (const [id, event] of dep.targets ?? []) {
        const key = `${id}:${event}`;
        this.triggers.set(key, [...(this.triggers.get(key) ?? []), dep]);
      }
    }
    const inputs = new Set(this.dependencies.flatMap((d) => d.inputs ?? []));
    const outputs = new Set(this.dependencies.flatMap((d) => d.outputs ?? []));
    // Events another event may cancel get a stop button while they run (as generators do).
    this.stoppable = new Set(this.dependencies.flatMap((d) => d.cancels ?? []));
    // interactive: null means editable when some event reads it, read-only when events only
    // write it (as in Gradio).
    this.defaultInteractive = (id) => inputs.has(id) || !outputs.has(id);
  }

  async render() {
    const layout = this.config.layout ?? { id: null, children: [...this.components.keys()].map((id) => ({ id })) };
    const types = ["root", ...[...this.components.values()].map((c) => c.type)];
    this.factories = await load(types);
    this.mount.replaceChildren();
    this.place(layout, this.mount, true);
    // Timers made by `every=` sit outside the layout; they tick all the same.
    for (const [id, entry] of this.components) {
      if (entry.type === "timer" && !this.instances.has(id)) this.place({ id }, this.mount);
    }
  }

  resolved(id, props) {
    // A button stays clickable when an event only relabels it.
    const guess = props.name === "button" ? true : this.defaultInteractive(id);
    const interactive = props.interactive ?? guess;
    // A component that feeds .stream() events sends a chunk this often (the dependency's
    // stream_every; the shortest, if several listen).
    const every = this.dependencies.filter((d) => (d.targets ?? []).some(([t, e]) => t === id && e === "stream"))
      .map((d) => Number(d.stream_every) || 0.5);
    return every.length ? { ...props, interactive, stream_every: Math.min(...every) } : { ...props, interactive };
  }

  place(node, parent, isRoot = false) {
    const entry = this.components.get(node.id);
    const type = entry?.type ?? (isRoot || node.children ? "root" : null);
    if (type == null) return;
    const props = { name: type, ...(entry?.props ?? {}) };
    const isLayout = Array.isArray(node.children);
    const box = frame(type, props, { layout: isLayout });
    if (node.id != null) box.root.dataset.porchId = String(node.id);
    parent.appendChild(box.root);
    let api;
    try {
      api = this.factories.get(type)(box.body, this.resolved(node.id, props), (event, data) => this.fire(node.id, event, data));
    } catch (e) {
      console.error(`porch: could not render ${type} #${node.id}`, e);
      box.body.textContent = `This ${type} could not be drawn.`;
      api = { update() {}, value: () => props.value ?? null };
    }
    if (node.id != null) this.instances.set(node.id, { id: node.id, type, props, api, frame: box });
    for (const child of node.children ?? []) this.place(child, api.container ?? box.body);
  }

  /** Set a component from an output value (or a gr.update dict). */
  set(id, value) {
    const inst = this.instances.get(id);
    if (!inst || inst.type === "state") return;
    value = translate(value); // gr.I18n tokens an event sent
    // What the user changed (a value typed, a tab picked) stands unless the update names it.
    const live = { ...inst.props, ...(inst.api.live?.() ?? {}), value: inst.api.value() };
    let next;
    if (isUpdate(value)) {
      const { __type__, ...changes } = value;
      next = { ...live, ...changes };
    } else {
      next = { ...live, value };
    }
    inst.props = next;
    inst.frame.apply(next);
    inst.api.update(this.resolved(id, next));
  }

  /** A block fired `event`; `data` is what it says about it (e.g. what was selected). */
  fire(id, event, data = null) {
    this.onFire?.(id, event);
    if (event === "stream_end") {
      this.endStreams(id);
      return;
    }
    for (const dep of this.triggers.get(`${id}:${event}`) ?? []) {
      if (dep.connection === "stream") this.streamChunk(dep, id);
      else this.run(dep, id, data);
    }
  }

  /**
   * A streaming input sent a chunk (its value now): the first opens the event through the
   * queue; later ones go to stream/<event_id> while it is open (PROTOCOL.md §1). A chunk
   * that comes before the event id is known is dropped: a live feed wants the newest.
   */
  async streamChunk(dep, id) {
    this.streams ??= new Map();
    const open = this.streams.get(dep.id);
    if (open) {
      if (!open.eventId || open.ended) return;
      const data = await this.inputValues(dep);
      const body = { data, fn_index: dep.id, session_hash: this.session, event_data: null, trigger_id: id };
      if (!(await sendChunk(document.baseURI, open.eventId, body))) open.ended = true;
      return;
    }
    const run = { eventId: null, again: null, ended: false, source: id };
    this.streams.set(dep.id, run);
    let ok = false;
    try {
      ok = await this.call(dep, id, run);
    } finally {
      this.streams.delete(dep.id);
      // The server ended it (time_limit, or an error): the component stops capturing.
      this.instances.get(id)?.api.streamEnded?.();
    }
    this.afterwards(dep, ok);
  }

  /** The user stopped a streaming input: close the events it feeds. */
  endStreams(id) {
    for (const run of this.streams?.values() ?? []) {
      if (run.source !== id || run.ended) continue;
      if (!run.eventId) {
        run.closeOnJoin = true; // stopped before the server named the event
        continue;
      }
      run.ended = true;
      closeStream(document.baseURI, run.eventId);
    }
  }

  async run(dep, triggerId, eventData = null) {
    const runs = this.running.get(dep.id) ?? new Set();
    this.running.set(dep.id, runs);
    if (runs.size && dep.trigger_mode !== "multiple") {
      // "once" ignores triggers while it runs; "always_last" runs once more at the end.
      if (dep.trigger_mode === "always_last") [...runs][0].again = { triggerId, eventData };
      return;
    }
    for (const other of dep.cancels ?? []) this.cancel(other);
    const run = { eventId: null, again: null };
    runs.add(run);
    let ok = false;
    try {
      if (!dep.backend_fn) ok = this.local(dep);
      else if (dep.queue === false) ok = await this.direct(dep, triggerId, run, eventData);
      else ok = await this.call(dep, triggerId, run, eventData);
    } catch (e) {
      console.error("porch: event failed", e);
      toast({ level: "error", message: String(e.message ?? e) });
    } finally {
      runs.delete(run);
    }
    this.afterwards(dep, ok);
    if (run.again) this.run(dep, run.again.triggerId, run.again.eventData);
  }

  /** Run the events chained after `dep` (.then, .success, .failure). */
  afterwards(dep, ok) {
    for (const next of this.dependencies) {
      if (next.trigger_after !== dep.id) continue;
      if (next.trigger_only_on_success && !ok) continue;
      if (next.trigger_only_on_failure && ok) continue;
      this.run(next, null);
    }
  }

  local(dep) {
    if (dep.js === "clear") {
      for (const id of dep.outputs ?? []) {
        const inst = this.instances.get(id);
        if (!inst || inst.type === "state") continue;
        if (inst.api.clear) inst.api.clear();
        else this.set(id, null);
        inst.props = { ...inst.props, value: inst.api.value() };
      }
    } else if (dep.js) {
      console.warn("porch: this page does not run custom js for events");
    }
    return true;
  }

  cancel(depId) {
    for (const run of this.running.get(depId) ?? []) this.stop(depId, run);
  }

  /** Stop one run: now if the server gave it an event id, else as soon as it does. */
  stop(depId, run) {
    run.stopped = true;
    if (run.eventId) {
      cancel(document.baseURI, { fn_index: depId, session_hash: this.session, event_id: run.eventId });
    }
  }

  /**
   * The values of an event's inputs, in order (null for State: the server holds it).
   * Waits for uploads still in flight, so a quick Submit never sends a half-chosen file.
   */
  async inputValues(dep) {
    await Promise.all((dep.inputs ?? []).map((id) => this.instances.get(id)?.api.pending?.()));
    return (dep.inputs ?? []).map((id) => {
      const inst = this.instances.get(id);
      return !inst || inst.type === "state" ? null : inst.api.value();
    });
  }

  /**
   * Run a queue=False event with one direct request (run/<api_name>); resolves to true on
   * success. No queue means no position, progress or stop: just a busy mark.
   */
  async direct(dep, triggerId, run, eventData = null) {
    const outputs = (dep.outputs ?? []).map((id) => this.instances.get(id)).filter((i) => i && i.type !== "state");
    const show = dep.show_progress ?? "full";
    for (const inst of outputs) inst.frame.status({ show, phase: "running", text: "" });
    let output;
    try {
      output = await runDirect(here(`./gradio_api/run/${encodeURIComponent(dep.api_name)}${location.search}`), {
        data: await this.inputValues(dep), event_data: eventData, fn_index: dep.id, trigger_id: triggerId,
        session_hash: this.session,
      });
    } catch (e) {
      toast({ level: "error", message: e.message, duration: null });
      return false;
    } finally {
      for (const inst of outputs) inst.frame.status(null);
    }
    if (output && typeof output === "object" && "error" in output) {
      if (output.visible !== false) {
        toast({ level: "error", title: output.title ?? "Error", message: output.error ?? GENERIC_ERROR, duration: output.duration ?? null });
      }
      return false;
    }
    const list = Array.isArray(output?.data) ? output.data : [];
    (dep.outputs ?? []).forEach((id, k) => {
      if (k < list.length) this.set(id, list[k]);
    });
    return true;
  }

  /** Run a server event through the queue; resolves to true on success. */
  async call(dep, triggerId, run, eventData = null) {
    const outputs = (dep.outputs ?? []).map((id) => this.instances.get(id)).filter((i) => i && i.type !== "state");
    const show = dep.show_progress ?? "full";
    const stop = dep.types?.generator || this.stoppable.has(dep.id) ? () => this.stop(dep.id, run) : null;
    const status = (s) => {
      for (const inst of outputs) {
        if (s) {
          inst.owner = run;
          inst.frame.status({ show, stop, ...s });
        } else if (inst.owner === run) {
          inst.owner = null;
          inst.frame.status(null);
        }
      }
    };
    status({ phase: "pending", text: "" });
    const data = await this.inputValues(dep);
    const inputs = (dep.inputs ?? []).map((id) => this.instances.get(id));
    for (const inst of inputs) inst?.frame.invalid?.(null);
    let eventId;
    try {
      // The page's query string goes along: the app reads it as request.query_params.
      eventId = await join(here(`./gradio_api/queue/join${location.search}`), {
        data, event_data: eventData, fn_index: dep.id, trigger_id: triggerId, session_hash: this.session,
      });
    } catch (e) {
      status(null);
      if (e.status === 422 && Array.isArray(e.output?.detail)) {
        // The event's validator refused some inputs: say why on each, as Gradio does.
        e.output.detail.forEach((entry, i) => {
          if (entry?.is_valid === false) inputs[i]?.frame.invalid?.(entry.message || "Not valid.");
        });
        return false;
      }
      if (e.status === 503) toast({ level: "error", title: "The app is busy", message: e.message, duration: 10 });
      else toast({ level: "error", message: e.message, duration: null });
      return false;
    }
    run.eventId = eventId;
    if (run.stopped) this.stop(dep.id, run);
    if (run.closeOnJoin) this.endStreams(run.source);
    remember(this.session, eventId, dep.id); // a reload follows it again (reattach.js)
    const ok = await follow(this, dep, eventId, status);
    forget(this.session, eventId);
    return ok;
  }

  scrollTo(ids) {
    const first = ids.map((id) => this.instances.get(id)).find((i) => i && i.type !== "state");
    first?.frame.root.scrollIntoView({ behavior: "smooth", block: "nearest" });
  }

  /**
   * A @render ran (PROTOCOL.md §3.3 render_config): replace what it drew last time with
   * the new blocks, and swap its events. A new block with the `key` of an old one of the
   * same type keeps the old one's value, as typed by the user.
   */
  async applyRender(config) {
    const holder = this.instances.get(config.layout?.id);
    if (!holder) return;
    const old = this.renders.get(config.render_id) ?? { ids: [], deps: [] };
    const kept = new Map();
    for (const id of old.ids) {
      const inst = this.instances.get(id);
      const key = this.components.get(id)?.key;
      if (inst && key != null && inst.type !== "state") kept.set(`${inst.type}:${key}`, inst.api.value());
      inst?.api.destroy?.();
      this.instances.delete(id);
      this.components.delete(id);
    }
    const gone = new Set(old.deps);
    this.dependencies = this.dependencies.filter((d) => !gone.has(d.id));
    const ids = [];
    for (const entry of translate(config.components ?? [])) {
      if (entry.id === holder.id) continue;
      const saved = kept.get(`${entry.type}:${entry.key}`);
      const props = entry.key != null && saved !== undefined ? { ...entry.props, value: saved } : entry.props;
      this.components.set(entry.id, { ...entry, props });
      ids.push(entry.id);
    }
    const deps = config.dependencies ?? [];
    this.dependencies.push(...deps);
    this.index();
    const missing = [...new Set(ids.map((id) => this.components.get(id).type))].filter((t) => !this.factories.has(t));
    if (missing.length) for (const [type, make] of await load(missing)) this.factories.set(type, make);
    const into = holder.api.container ?? holder.frame.body;
    into.replaceChildren();
    for (const child of config.layout.children ?? []) this.place(child, into);
    this.renders.set(config.render_id, { ids, deps: deps.map((d) => d.id) });
  }

  start() {
    if (this.config.connect_heartbeat) keepAlive(here(`./gradio_api/heartbeat/${encodeURIComponent(this.session)}`));
    for (const dep of this.dependencies) {
      if ((dep.targets ?? []).some(([, event]) => event === "load")) this.run(dep, null);
    }
  }
}

/** The footer's "Use via API" link: the API page (loaded on first use) opens over the app. */
function apiLink(config) {
  if (!(config.footer_links ?? ["api"]).includes("api")) return;
  const footer = document.querySelector(".porch-footer");
  if (!footer) return;
  const link = document.createElement("a");
  link.href = "#api";
  link.className = "porch-api-link";
  link.textContent = "Use via API";
  footer.prepend(link, " · ");
  const leave = () => {
    if (location.hash === "#api") history.replaceState(null, "", location.pathname + location.search);
  };
  const show = async () => {
    const { showApiPage } = await import("./api_page.js");
    const root = String(config.root || new URL(".", document.baseURI).href).replace(/\/+$/, "");
    await showApiPage({ infoUrl: here("./gradio_api/info"), root, title: config.title, onClose: leave });
  };
  link.addEventListener("click", (e) => {
    e.preventDefault();
    if (location.hash !== "#api") history.pushState(null, "", "#api");
    show();
  });
  // Back (or any move away from #api) closes it; arriving at #api opens it.
  window.addEventListener("hashchange", async () => {
    if (location.hash === "#api") show();
    else (await import("./api_page.js")).closeApiPage();
  });
  if (location.hash === "#api") show();
}

async function boot() {
  const mount = document.getElementById("porch-app");
  let response;
  try {
    response = await fetch(here(`./config${configQuery()}`), { credentials: "same-origin", headers: { accept: "application/json" } });
  } catch (e) {
    throw new Error(`Could not reach the server (${e.message}).`);
  }
  if (response.status === 401) {
    const body = await response.json().catch(() => ({}));
    login(mount, here("./login"), body?.detail?.auth_message ?? null);
    document.documentElement.dataset.porch = "login";
    return;
  }
  if (!response.ok) throw new Error(`The app's config could not be loaded (${response.status}).`);
  const config = await response.json();
  // gr.I18n: the page shows each token as the text of the visitor's language.
  useTranslations(config.i18n_translations);
  config.components = translate(config.components ?? []);
  config.title = translate(config.title);
  if (config.title) document.title = String(config.title);
  // The theme's variables first, so that the app's own css can override them.
  document.documentElement.dataset.theme = String(config.theme ?? "default");
  for (const css of [config.theme_css, config.css]) {
    if (!css) continue;
    const style = document.head.appendChild(document.createElement("style"));
    style.textContent = css;
  }
  document.body.classList.toggle("porch-fill-width", Boolean(config.fill_width));
  document.body.classList.toggle("porch-fill-height", Boolean(config.fill_height));
  const page = currentPage();
  const app = new App(pageView(config, page), mount);
  await app.render();
  navbar(config, page, mount);
  app.onFire = deepLinks(app);
  attachDeepLinks(app);
  mount.removeAttribute("aria-busy");
  app.start();
  resumeRunning(app, here);
  apiLink(config);
  logoutControl(config);
  loginControl(config, mount, here("./login"));
  window.porch = { app };
  document.documentElement.dataset.porch = "ready";
  // The app's own js= (allow_app_scripts=True) waits for this: its components are drawn.
  window.dispatchEvent(new Event("porch:ready"));
}

boot().catch((e) => {
  console.error(e);
  const mount = document.getElementById("porch-app");
  mount.removeAttribute("aria-busy");
  const note = document.createElement("p");
  note.className = "porch-fatal";
  note.setAttribute("role", "alert");
  note.textContent = e.message;
  mount.replaceChildren(note);
  document.documentElement.dataset.porch = "error";
});
