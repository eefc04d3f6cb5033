// Large files over tus 1.0 at ./gradio_api/upload/tus (docs/resumable-uploads.md).
//
// A file is sent in CHUNK_SIZE slices by PATCH. When one fails on the way (the network, a
// 5xx, a 409 from our own dropped request still draining) the page waits a moment, asks
// with HEAD where the server stands and goes on from there: what the server holds is never
// sent again. A server without tus (its OPTIONS is not a tus answer) makes tusUpload
// resolve null and the caller keeps the plain POST ./gradio_api/upload.

const here = (path) => new URL(path, document.baseURI);
const VERSION = "1.0.0";

// 8 MiB, as porch.Client: below it one POST is quick, above it a drop costs real time.
export const TUS_THRESHOLD = 8 * 1024 * 1024;
// 2 MiB a PATCH: fetch reports no upload progress, so the bar moves once per chunk.
export const CHUNK_SIZE = 2 * 1024 * 1024;
// Waits (ms) before the retries after consecutive failures; a chunk that lands resets them.
const BACKOFF = [250, 500, 1000, 2000, 4000];

/** Thrown for a refusal a retry cannot mend (413, 4xx); `status` is the HTTP status. */
export class TusRefused extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

let supported = null; // one OPTIONS per page

async function tusSupported() {
  if (supported === null) {
    try {
      const answer = await fetch(here("./gradio_api/upload/tus"), { method: "OPTIONS", credentials: "same-origin" });
      supported = answer.ok && (answer.headers.get("Tus-Version") ?? "").split(",").map((v) => v.trim()).includes(VERSION);
    } catch {
      return false; // the plain upload will tell the network's story
    }
  }
  return supported;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function refuse(answer, name) {
  const text = (await answer.text()).trim();
  if (answer.status === 413) throw new TusRefused(text || `${name} is larger than this app accepts.`, 413);
  throw new TusRefused(`The upload of ${name} failed (${answer.status}): ${text || answer.statusText}`, answer.status);
}

const retriable = (status) => status >= 500 || status === 409;

/** Wait before try number `failures + 1`, or give up with `message`. */
async function backoff(failures, message) {
  if (failures >= BACKOFF.length) throw new TusRefused(`${message} (gave up after ${failures + 1} tries).`, 0);
  await sleep(BACKOFF[failures]);
}

async function create(file) {
  const name = btoa(String.fromCharCode(...new TextEncoder().encode(file.name)));
  for (let failures = 0; ; failures += 1) {
    let answer;
    try {
      answer = await fetch(here("./gradio_api/upload/tus"), {
        method: "POST", credentials: "same-origin",
        headers: { "Tus-Resumable": VERSION, "Upload-Length": String(file.size), "Upload-Metadata": `filename ${name}` },
      });
    } catch (e) {
      await backoff(failures, `Opening the upload of ${file.name} failed: ${e.message}`);
      continue;
    }
    if (answer.status >= 500) {
      await backoff(failures, `Opening the upload of ${file.name} failed (${answer.status})`);
      continue;
    }
    if (answer.status === 404 || answer.status === 405) return null;
    if (!answer.ok) await refuse(answer, file.name);
    const location = answer.headers.get("Location");
    if (!location) throw new TusRefused(`The server opened the upload of ${file.name} without a Location.`, answer.status);
    // Relative to the POST's URL, as tus says: right behind any path prefix.
    return { url: new URL(location, here("./gradio_api/upload/tus")), reference: answer.headers.get("Porch-File-Path") };
  }
}

/** Where the server stands (HEAD); `previous` when it cannot tell right now. */
async function serverOffset(url, previous, name) {
  try {
    const answer = await fetch(url, { method: "HEAD", credentials: "same-origin", headers: { "Tus-Resumable": VERSION } });
    if (answer.status === 404) throw new TusRefused(`The server forgot the upload of ${name}; choose the file again.`, 404);
    const offset = Number(answer.headers.get("Upload-Offset"));
    return answer.ok && Number.isSafeInteger(offset) ? offset : previous;
  } catch (e) {
    if (e instanceof TusRefused) throw e;
    return previous;
  }
}

/**
 * Send `file` by tus; resolves to the server's reference (a FileData `path`), or null when
 * the server has no tus. `onProgress(bytesSent)` after each chunk, never going back.
 */
export async function tusUpload(file, { onProgress = () => {}, chunkSize = CHUNK_SIZE } = {}) {
  if (!(await tusSupported())) return null;
  const opened = await create(file);
  if (opened === null) return null;
  if (opened.reference) {
    onProgress(file.size);
    return opened.reference;
  }
  let offset = 0;
  let reported = 0;
  let failures = 0;
  for (;;) {
    let answer = null;
    let problem = null;
    try {
      answer = await fetch(opened.url, {
        method: "PATCH", credentials: "same-origin", body: file.slice(offset, offset + chunkSize),
        headers: { "Tus-Resumable": VERSION, "Upload-Offset": String(offset), "Content-Type": "application/offset+octet-stream" },
      });
      if (retriable(answer.status)) problem = `the server answered ${answer.status}`;
    } catch (e) {
      problem = `the network failed (${e.message})`;
    }
    if (problem !== null) {
      await backoff(failures, `Sending ${file.name} at byte ${offset} failed: ${problem}`);
      failures += 1;
      offset = await serverOffset(opened.url, offset, file.name);
      continue;
    }
    if (!answer.ok) await refuse(answer, file.name);
    failures = 0;
    const next = Number(answer.headers.get("Upload-Offset"));
    if (!Number.isSafeInteger(next) || next <= offset) {
      throw new TusRefused(`The server took a chunk of ${file.name} without moving its offset.`, answer.status);
    }
    offset = next;
    if (offset > reported) {
      reported = offset;
      onProgress(offset);
    }
    if (offset >= file.size) {
      const reference = answer.headers.get("Porch-File-Path");
      if (!reference) throw new TusRefused(`The server took all of ${file.name} but named no file.`, answer.status);
      return reference;
    }
  }
}
