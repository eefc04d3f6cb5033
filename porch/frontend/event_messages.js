// Following one event's messages on the queue stream: queue position, progress, streamed
// values (diffs after the first), logs as toasts, and the final result or error. porch.js
// joins the queue; this shows what the server says about the event until it completes.

import { applyDiff } from "./stream.js";
import { toast } from "./toasts.js";

export const GENERIC_ERROR = "An error occurred. The app did not share the details (launch it with show_error=True to see them).";

// Resolves true when the event succeeded, false when it failed or the stream broke.
// `status(s)` draws (or with null clears) the progress shown on the event's outputs.
export function follow(app, dep, eventId, status) {
  return new Promise((resolve) => {
    let values = null;
    let started = null;
    let eta = null;
    let progress = {};
    const clock = setInterval(() => {
      if (started == null) return;
      const text = progress.detail ? `${progress.detail} · ${elapsed()}` : elapsed();
      status({ phase: values ? "streaming" : "running", text, ...progress });
    }, 100);
    const elapsed = () => {
      const t = ((performance.now() - started) / 1000).toFixed(1);
      return eta ? `${t}s / ETA ${Number(eta).toFixed(1)}s` : `${t}s`;
    };
    const finish = (ok) => {
      clearInterval(clock);
      app.stream.unwatch(eventId);
      status(null);
      resolve(ok);
    };
    const show = (list) => {
      (dep.outputs ?? []).forEach((id, k) => {
        if (k < list.length) app.set(id, list[k]);
      });
    };
    app.stream.watch(eventId, {
      message: (msg) => {
        switch (msg.msg) {
          case "estimation": {
            const where = msg.rank != null && msg.queue_size ? ` ${msg.rank + 1}/${msg.queue_size}` : "";
            const when = msg.rank_eta != null ? ` · ETA ${Number(msg.rank_eta).toFixed(1)}s` : "";
            status({ phase: "queued", text: `queued${where}${when}` });
            break;
          }
          case "process_starts":
            started = performance.now();
            eta = msg.eta;
            status({ phase: "running", text: elapsed() });
            break;
          case "progress": {
            const p = (msg.progress_data ?? [])[0];
            if (!p) break;
            const fraction = p.progress != null ? p.progress : p.length ? p.index / p.length : null;
            const count = p.length ? `${p.index}/${p.length}${p.unit ? ` ${p.unit}` : ""}` : "";
            progress = { fraction, detail: [p.desc, count].filter(Boolean).join(" ") || "progress" };
            started ??= performance.now();
            status({ phase: values ? "streaming" : "running", text: `${progress.detail} · ${elapsed()}`, ...progress });
            break;
          }
          case "log":
            if (msg.visible !== false) {
              toast({ level: msg.level ?? "info", title: msg.title, message: msg.log, duration: msg.duration ?? null });
            }
            break;
          case "process_generating":
          case "process_streaming": {
            const data = msg.output?.data ?? [];
            // A stream event's messages carry full values; a generator's, diffs after the first.
            const full = values == null || msg.msg === "process_streaming";
            values = full ? data : values.map((v, k) => applyDiff(v, data[k] ?? []));
            show(values);
            started ??= performance.now();
            status({ phase: "streaming", text: progress.detail ? `${progress.detail} · ${elapsed()}` : elapsed(), ...progress });
            break;
          }
          case "process_completed": {
            const output = msg.output ?? {};
            if ("error" in output) {
              if (output.visible !== false) {
                toast({
                  level: "error",
                  title: output.title ?? msg.title ?? "Error",
                  message: output.error ?? GENERIC_ERROR,
                  duration: output.duration ?? null,
                });
              }
              finish(false);
            } else {
              if (Array.isArray(output.data)) show(output.data);
              if (dep.scroll_to_output) app.scrollTo(dep.outputs ?? []);
              if (output.render_config) {
                app.applyRender(output.render_config).then(
                  () => finish(msg.success !== false),
                  (e) => {
                    console.error("porch: could not draw a render", e);
                    finish(false);
                  },
                );
              } else {
                finish(msg.success !== false);
              }
            }
            break;
          }
          default:
            break;
        }
      },
      fail: (text) => {
        if (text) toast({ level: "error", message: text, duration: null });
        finish(false);
      },
    });
  });
}
