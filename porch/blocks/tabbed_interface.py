"""`TabbedInterface([app1, app2], ["A", "B"])`: several apps in one page, one tab each."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from porch.blocks.blocks import Blocks
from porch.blocks.layout import Layout, Tab, Tabs
from porch.components.markup import Markdown
from porch.errors import ConfigError


class TabbedInterface(Blocks):
    """Apps (Interfaces, ChatInterfaces or Blocks) shown as tabs of one app.

    The apps' blocks and events move into this one: each keeps its API names (made unique
    with a suffix where two collide), and examples cached at launch are cached here.
    """

    # Gradio keywords accepted but not acted on yet (with Gradio's defaults): warned once.
    unhonoured_keywords = {"analytics_enabled": None, "tabs_kwargs": None}

    def __init__(
        self,
        interface_list: Sequence[Blocks],
        tab_names: Sequence[str] | None = None,
        title: str | None = None,
        *,
        theme: Any = None,
        css: str | None = None,
        js: str | None = None,
        head: str | None = None,
        **_gradio_options: Any,
    ) -> None:
        self.take_unhonoured(_gradio_options)
        if tab_names is not None and len(tab_names) != len(interface_list):
            raise ConfigError("TabbedInterface needs one tab name per interface.")
        super().__init__(title=title or "porch", theme=theme, css=css, js=js, head=head,
                         mode="tabbed_interface")
        names = list(tab_names) if tab_names is not None else [
            app.title if app.title != "porch" else f"Tab {index + 1}"
            for index, app in enumerate(interface_list)]
        self.interfaces = list(interface_list)
        with self:
            if title:
                Markdown(f"# {title}", elem_classes="porch-title")
            with Tabs():
                for name, app in zip(names, interface_list, strict=True):
                    with Tab(name) as tab:
                        self._adopt(app, tab)

    def _adopt(self, app: Blocks, into: Layout) -> None:
        """Move `app`'s blocks and events into this app, under `into`."""
        if app.server is not None:
            raise ConfigError("An app that is already launched cannot join a TabbedInterface.")
        for child in app.children:
            into.add_child(child)
        for block in app.blocks.values():
            self.add_block(block)
        offset = len(self.dependencies)
        for dep in app.dependencies:
            self.dependencies.append(dataclasses.replace(
                dep,
                id=dep.id + offset,
                app=self,
                api_name=self._unique_api_name(dep.api_name, dep.fn),
                targets=[(self.id if target == app.id else target, event)
                         for target, event in dep.targets],
                trigger_after=None if dep.trigger_after is None else dep.trigger_after + offset,
                cancels=[c + offset for c in dep.cancels],
            ))
        self.startup_hooks.extend(app.startup_hooks)
        if app.css:
            self.css = f"{self.css}\n{app.css}" if self.css else app.css
