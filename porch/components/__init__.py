"""Components: value <-> wire payload, config and API description; one family per module."""

from porch.components.base import Block, Component, Conversion, EventListener
from porch.components.button import Button
from porch.components.markup import Markdown
from porch.components.number import Number
from porch.components.state import State
from porch.components.text import Textbox

__all__ = [
    "Block",
    "Button",
    "Component",
    "Conversion",
    "EventListener",
    "Markdown",
    "Number",
    "State",
    "Textbox",
]
