"""The page's Markdown renderer (porch/frontend/markdown.js), run in the browser."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser

import porch as gr

pytestmark = pytest.mark.browser

RENDER = """async (source) => {
  const { renderMarkdown } = await import(new URL("./assets/markdown.js", document.baseURI).href);
  const box = document.createElement("div");
  box.append(renderMarkdown(source));
  return box.innerHTML;
}"""


@pytest.fixture(scope="module")
def render(
    browser: Browser, serve_for_module: Callable[[Any], str]
) -> Iterator[Callable[[str], str]]:
    """Render Markdown with the page's own module, in one page shared by this file's tests."""
    with gr.Blocks() as demo:
        gr.Markdown("ready")
    context = browser.new_context()
    page = context.new_page()
    page.goto(serve_for_module(demo))
    page.wait_for_selector("html[data-porch=ready]")
    yield lambda source: str(page.evaluate(RENDER, source))
    context.close()


@pytest.mark.parametrize(
    ("source", "html"),
    [
        ("# Title", "<h1>Title</h1>"),
        ("###### six ##", "<h6>six</h6>"),
        ("a *b* **c** ~~d~~ `e < f`",
         "<p>a <em>b</em> <strong>c</strong> <del>d</del> <code>e &lt; f</code></p>"),
        ("***both***", "<p><em><strong>both</strong></em></p>"),
        ("snake_case_name, 2 * 3 * 4 and a*b*c",
         "<p>snake_case_name, 2 * 3 * 4 and a<em>b</em>c</p>"),
        ("\\*not emphasis\\*", "<p>*not emphasis*</p>"),
        ("```py\nif x < 1:\n    pass\n```",
         '<pre><code class="language-py">if x &lt; 1:\n    pass</code></pre>'),
        ("    indented code", "<pre><code>indented code</code></pre>"),
        ("- a\n- b\n  - c", "<ul><li>a</li><li>b<ul><li>c</li></ul></li></ul>"),
        ("1. x\n2. y", "<ol><li>x</li><li>y</li></ol>"),
        ("3) x", '<ol start="3"><li>x</li></ol>'),
        ("- a\n\n- b", "<ul><li><p>a</p></li><li><p>b</p></li></ul>"),
        ("> quoted **text**", "<blockquote><p>quoted <strong>text</strong></p></blockquote>"),
        ("line one  \nline two", "<p>line one<br>line two</p>"),
        ("soft\nbreak", "<p>soft\nbreak</p>"),
        ("---", "<hr>"),
        ("| a | b |\n|---|--:|\n| 1 | 2 |",
         '<div class="porch-table"><table><thead><tr><th>a</th><th style="text-align: right;">b'
         '</th></tr></thead><tbody><tr><td>1</td><td style="text-align: right;">2</td></tr>'
         "</tbody></table></div>"),
        ("<b>bold?</b> &amp; <!-- c -->",
         "<p>&lt;b&gt;bold?&lt;/b&gt; &amp;amp; &lt;!-- c --&gt;</p>"),
        ("[site](https://example.com/a_b \"T\")",
         '<p><a href="https://example.com/a_b" rel="noopener noreferrer" target="_blank" '
         'title="T">site</a></p>'),
        ("see https://example.com/x.",
         '<p>see <a href="https://example.com/x" rel="noopener noreferrer" target="_blank">'
         "https://example.com/x</a>.</p>"),
        ("<mailto:a@example.com>",
         '<p><a href="mailto:a@example.com" rel="noopener noreferrer">'
         "mailto:a@example.com</a></p>"),
        ("![alt](https://example.com/i.png)",
         '<p><img alt="alt" src="https://example.com/i.png" loading="lazy" '
         'referrerpolicy="no-referrer"></p>'),
    ],
)
def test_renders(render: Callable[[str], str], source: str, html: str) -> None:
    assert render(source) == html


HOSTILE_URLS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "javascript&#58;alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "\\x01javascript:alert(1)",
]


@pytest.mark.parametrize("url", HOSTILE_URLS)
@pytest.mark.parametrize("shape", ["[x]({})", "<{}>", "![x]({})", "[x](<{}>)"])
def test_links_and_images_only_use_safe_schemes(render: Callable[[str], str], url: str,
                                                 shape: str) -> None:
    html = render(shape.format(url))
    assert "<script" not in html
    for attribute in ("href", "src"):
        for value in html.split(f'{attribute}="')[1:]:
            target = value.split('"', 1)[0]
            assert target.startswith(("http://", "https://", "mailto:")), html


def test_deep_or_huge_input_stays_fast(render: Callable[[str], str]) -> None:
    nested = ">" * 500 + " deep"
    stars = "*a " * 5000
    brackets = "[" * 5000
    for source in (nested, stars, brackets, "- " * 2000 + "x"):
        assert render(source)
