"""Text components in the browser: HTML (sanitised, isolated), Code, Markdown, Textbox extras.

The hostile corpus tries every usual way for markup to run script; a script that ran would
set `window.pwned`. The page's CSP would also block inline script, so these tests check the
sanitiser itself: none of it may even reach the page's DOM.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from playwright.sync_api import Page, expect

import porch as gr

pytestmark = pytest.mark.browser

HOSTILE = [
    "<script>window.pwned = 1</script>",
    "<img src=x onerror=\"window.pwned=2\">",
    "<svg><script>window.pwned=3</script></svg>",
    "<svg onload=window.pwned=4>",
    "<a id=js href=\"javascript:window.pwned=5\">js link</a>",
    "<iframe srcdoc=\"<script>parent.pwned=6</script>\"></iframe>",
    "<object data=\"javascript:window.pwned=7\"></object>",
    "<math><mtext><table><mglyph><style><img src=x onerror=window.pwned=8>",
    "<form action=\"javascript:window.pwned=9\"><button id=sub>go</button></form>",
    "<details open ontoggle=window.pwned=10>",
    "<svg><a xlink:href=\"javascript:window.pwned=11\"><text y=20>svg link</text></a></svg>",
    "<svg><animate attributeName=href to=javascript:window.pwned=12 /></svg>",
    "<img src=\"data:image/svg+xml,<svg onload=window.pwned=13>\">",
    "<div style=\"position:fixed;inset:0;z-index:9999\">overlay</div>",
    "<style>body { display: none !important }</style>",
    "<base href=\"https://evil.example/\"><meta http-equiv=refresh content=\"0;url=/x\">",
]


def build() -> gr.Blocks:
    with gr.Blocks() as demo:
        trusted = gr.HTML("<h3 class='hello'>Hello <b>HTML</b></h3>"
                          "<style>.hello { color: rgb(0, 128, 128); }</style>",
                          elem_id="trusted")
        with gr.Column(elem_id="hostile"):
            for markup in HOSTILE:
                gr.HTML(markup)
        gr.Markdown("**bold** <script>window.pwned = 20</script> <b>tag</b>", elem_id="md")
        name = gr.Textbox(label="Name", max_length=5, show_copy_button=True)
        secret = gr.Textbox(label="Secret", type="password")
        source = gr.Code("def f(x):\n    return x\n", language="python", label="Source")
        shown = gr.Code(label="Shown", language="python")
        clicks = gr.Number(0, label="clicks")
        echoed = gr.HTML(elem_id="echoed")
        trusted.click(lambda n: n + 1, clicks, clicks)
        source.change(lambda s: s.upper(), source, shown)
        name.submit(lambda n: f"<p>Hi {n}<img src=x onerror=window.pwned=30></p>", name, echoed)
        secret.submit(lambda s: len(s), secret, clicks)
    return demo


@pytest.fixture(scope="module")
def url(serve_for_module: Callable[[Any], str]) -> str:
    return serve_for_module(build())


@pytest.fixture
def app(page: Page, url: str) -> Page:
    page.goto(url)
    page.wait_for_selector("html[data-porch=ready]")
    return page


def test_developer_html_renders_with_its_own_css(app: Page) -> None:
    heading = app.locator("#trusted").get_by_role("heading", name="Hello HTML")
    expect(heading).to_have_css("color", "rgb(0, 128, 128)")
    # The app's CSS stays inside the component (it lives in a shadow root).
    expect(app.get_by_label("Name", exact=True)).not_to_have_css("color", "rgb(0, 128, 128)")
    heading.click()
    expect(app.get_by_label("clicks")).to_have_value("1")


def test_hostile_html_runs_nothing_and_breaks_nothing(app: Page) -> None:
    hostile = app.locator("#hostile")
    expect(hostile).to_contain_text("js link")
    for selector in ("script", "iframe", "object", "form", "base", "meta", "animate",
                     "[onerror]", "[onload]", "[ontoggle]"):
        expect(hostile.locator(selector)).to_have_count(0)
    link = hostile.get_by_text("js link")
    assert link.get_attribute("href") is None
    link.click()
    expect(hostile.get_by_text("svg link")).to_have_count(1)
    hostile.get_by_role("button", name="go").click()
    # A fixed overlay stays inside its own component (paint containment), so the rest of
    # the page still takes clicks.
    overlay = hostile.get_by_text("overlay").bounding_box()
    assert overlay is not None and overlay["height"] < 100
    app.wait_for_timeout(200)
    assert app.evaluate("window.pwned") is None
    # The page is still usable: no overlay captures clicks, the body is still shown.
    app.get_by_label("Name", exact=True).fill("Ann")
    expect(app.get_by_label("Name", exact=True)).to_have_value("Ann")
    expect(app.locator("body")).to_be_visible()
    assert app.url.startswith("http://127.0.0.1")


def test_function_output_html_is_sanitised_too(app: Page) -> None:
    name = app.get_by_label("Name", exact=True)
    name.fill("Bob")
    name.press("Enter")
    expect(app.locator("#echoed")).to_contain_text("Hi Bob")
    expect(app.locator("#echoed img")).to_have_count(1)
    expect(app.locator("#echoed [onerror]")).to_have_count(0)
    assert app.evaluate("window.pwned") is None


def test_markdown_shows_tags_as_text(app: Page) -> None:
    md = app.locator("#md")
    expect(md.locator("strong")).to_have_text("bold")
    expect(md).to_contain_text("<script>window.pwned = 20</script>")
    expect(md.locator("script")).to_have_count(0)
    assert app.evaluate("window.pwned") is None


def test_textbox_limits_password_and_copy(app: Page) -> None:
    name = app.get_by_label("Name", exact=True)
    name.fill("abcdefgh")
    expect(name).to_have_value("abcde")  # max_length
    expect(app.get_by_role("button", name="Copy Name")).to_be_visible()
    secret = app.get_by_label("Secret")
    expect(secret).to_have_attribute("type", "password")
    secret.fill("hunter2")
    secret.press("Enter")
    expect(app.get_by_label("clicks")).to_have_value("7")


def test_code_editor_and_view(app: Page) -> None:
    editor = app.get_by_label("Source", exact=True)
    expect(editor).to_have_value("def f(x):\n    return x")
    editor.focus()
    app.keyboard.press("Control+End")
    app.keyboard.press("Enter")
    app.keyboard.press("Tab")  # indents instead of leaving the field
    app.keyboard.type("y")
    expect(editor).to_have_value("def f(x):\n    return x\n    y")
    view = app.get_by_role("region", name="Shown")
    expect(view).to_have_text("DEF F(X):\n    RETURN X\n    Y")
    expect(app.locator(".porch-block-code").first.locator(".porch-code-lines")).to_contain_text(
        "3")


TAGS = ["a", "img", "svg", "script", "iframe", "div", "style", "math", "form", "b", "details",
        "animate", "use", "object", "table", "template", "noscript", "textarea", "title"]
ATTRS = ["href", "src", "onerror", "onload", "OnClick", "style", "xlink:href", "srcdoc",
         "action", "formaction", "data-x", "srcset", "poster", "class"]
VALUES = ["javascript:window.pwned=1", " JaVaScRiPt:window.pwned=1", "x", "data:text/html,x",
          "data:image/png;base64,AAAA", "https://example.com/", "vbscript:x", "#",
          "window.pwned=1", "x\" onerror=\"window.pwned=1"]


@st.composite
def markup(draw: st.DrawFn, depth: int = 0) -> str:
    tag = draw(st.sampled_from(TAGS))
    attrs = "".join(
        f" {name}=\"{value}\"" if quoted else f" {name}={value.replace(' ', '')}"
        for name, value, quoted in draw(st.lists(
            st.tuples(st.sampled_from(ATTRS), st.sampled_from(VALUES), st.booleans()),
            max_size=3)))
    inner = draw(markup(depth + 1)) if depth < 3 and draw(st.booleans()) else "t"
    closed = draw(st.booleans())
    return f"<{tag}{attrs}>{inner}" + (f"</{tag}>" if closed else "")


SANITISED = """async (sources) => {
  const { sanitizeHtml } = await import('./assets/sanitizer.js');
  const bad = [];
  for (const source of sources) {
    const box = document.createElement('div');
    box.append(sanitizeHtml(source));
    for (const el of box.querySelectorAll('*')) {
      const name = el.localName.toLowerCase();
      if (['script', 'iframe', 'object', 'embed', 'form', 'base', 'meta', 'animate', 'set',
           'use', 'template', 'math', 'foreignobject'].includes(name)) bad.push([source, name]);
      for (const attr of el.attributes) {
        const n = attr.name.toLowerCase();
        const v = attr.value.replace(/[\\s\\u0000-\\u001f]/g, '').toLowerCase();
        const url = ['href', 'src', 'poster', 'srcset', 'action', 'formaction', 'data'].includes(n);
        if (n.startsWith('on') || n === 'srcdoc' || n.includes('href') && n !== 'href'
            || url && (v.startsWith('javascript:') || v.startsWith('vbscript:')
                       || (v.startsWith('data:') && !v.startsWith('data:image/png')))) {
          bad.push([source, `${name} ${n}=${attr.value}`]);
        }
      }
    }
  }
  return bad;
}"""


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(markup(), min_size=5, max_size=20))
def test_sanitiser_never_lets_script_capable_markup_through(app: Page, sources: list[str]) -> None:
    """Random nestings of hostile tags, attributes and URLs: the sanitised DOM never holds
    a script-capable element, an event handler or a script URL (the page's sanitiser
    module, run in the page)."""
    assert app.evaluate(SANITISED, sources) == []
    assert app.evaluate("window.pwned") is None
