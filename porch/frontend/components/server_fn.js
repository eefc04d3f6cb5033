// A component's own server function (POST gradio_api/component_server), for the components
// that ask the server something while the page is open (the file explorer's folder listing).

let session = null;

/** Set once by the app: the page's session, which every call names. */
export function setSession(hash) {
  session = hash;
}

export async function callServer(componentId, fnName, data) {
  const response = await fetch(new URL("./gradio_api/component_server", document.baseURI), {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ session_hash: session, component_id: componentId, fn_name: fnName, data }),
  });
  if (!response.ok) throw new Error(`${fnName} failed (${response.status})`);
  return response.json();
}
