"""Server mode (docs/server-mode.md): your own page and routes, porch's API engine behind them.

    pip install fastapi
    python examples/server_mode.py

The page is plain HTML with a script file of its own (porch's Content-Security-Policy runs
scripts from the app's origin, not inline ones). It calls the endpoint the way any HTTP
client may: POST /gradio_api/call/<name>, then read the result's event stream. gradio_client
works too: Client(url).predict("Ann", api_name="/hello").
"""

from collections.abc import Iterator

from fastapi.responses import HTMLResponse, Response

import porch as gr

server = gr.Server(title="Greeter")


@server.api(name="hello")
def hello(name: str) -> str:
    """Greets someone."""
    return f"Hello {name}!"


@server.api(name="count")
def count(n: int) -> Iterator[str]:
    """Counts up to n, one value at a time."""
    for i in range(1, n + 1):
        yield f"{i} of {n}"


PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Greeter</title></head>
<body>
  <h1>Greeter</h1>
  <label>Name <input id="name" value="Ann"></label>
  <button id="greet">Greet</button>
  <p id="greeting" aria-live="polite"></p>
  <script type="module" src="/greeter.js"></script>
</body>
</html>
"""

SCRIPT = """
// One call of a porch endpoint over plain HTTP: join, then read the event stream to its end.
async function call(name, data) {
  const joined = await fetch(`/gradio_api/call/${name}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ data }),
  });
  const { event_id } = await joined.json();
  const stream = await (await fetch(`/gradio_api/call/${name}/${event_id}`)).text();
  const last = stream.trim().split("\\n").filter((line) => line.startsWith("data:")).pop();
  return JSON.parse(last.slice(5));
}

document.getElementById("greet").addEventListener("click", async () => {
  const [greeting] = await call("hello", [document.getElementById("name").value]);
  document.getElementById("greeting").textContent = greeting;
});
"""


@server.get("/", response_class=HTMLResponse)
def page() -> str:
    return PAGE


@server.get("/greeter.js")
def script() -> Response:
    return Response(SCRIPT, media_type="text/javascript")


if __name__ == "__main__":
    server.launch()
