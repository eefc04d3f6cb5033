"""Feeding a streaming input (`.stream()` on a webcam or microphone) chunk by chunk, as the
page does: the first chunk joins the queue and opens the event, each later one is POSTed to
`stream/{event_id}`, and `stream/{event_id}/close` ends it. Each chunk is sent once the
previous one's output came back, so that none is replaced by a newer one (the server keeps
only the newest while the function is busy) and a test sees one step per chunk."""

from __future__ import annotations

import asyncio
from typing import Any

from porch.testing.page import API, Action, Page
from porch.testing.results import Run


async def feed(page: Page, block_id: int, chunks: list[Any], action: Action) -> None:
    deps = page.triggers.get((block_id, "stream"), [])
    for dep in deps:
        action.spawn(_feed_one, page, dep, block_id, chunks, action)


async def _feed_one(page: Page, dep: dict[str, Any], block_id: int, chunks: list[Any],
                    action: Action) -> None:
    run = Run(dep["id"], dep.get("api_name"), (block_id, "stream"))
    action.result.runs.append(run)
    page.components[block_id]["props"]["value"] = chunks[0]
    answer = await page.client.post(f"{API}/queue/join", headers={"x-gradio-user": "app"},
                                    json=page.body(dep, block_id, None))
    if answer.status_code != 200:
        run.success = page.refused(run, answer)
        page.afterwards(dep["id"], run.success, action)
        return
    event_id = run.event_id = answer.json()["event_id"]
    inbox = page.inboxes.setdefault(event_id, asyncio.Queue())
    page.read_channel()
    stepped = asyncio.Event()
    following = asyncio.get_running_loop().create_task(
        page.follow(dep, inbox, run, action, stepped))
    page.live[event_id] = (dep["id"], action)
    try:
        for chunk in [*chunks[1:], None]:
            waiting = asyncio.get_running_loop().create_task(stepped.wait())
            await asyncio.wait([waiting, following], return_when=asyncio.FIRST_COMPLETED)
            waiting.cancel()
            if following.done():
                break  # the event ended on its own (an error, its time_limit)
            stepped.clear()
            if chunk is None:
                await page.client.post(f"{API}/stream/{event_id}/close", json={})
                break
            page.components[block_id]["props"]["value"] = chunk
            body = page.body(dep, block_id, None)
            await page.client.post(f"{API}/stream/{event_id}", json=body)
        run.success = await following
    finally:
        following.cancel()
        page.live.pop(event_id, None)
        page.inboxes.pop(event_id, None)
    page.afterwards(dep["id"], run.success, action)
