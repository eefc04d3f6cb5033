"""What running an event told the user: outputs, toasts, errors and streamed steps."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# What the page shows for an error whose details the app did not share (show_error=False).
HIDDEN_ERROR = ("An error occurred. The app did not share the details (launch it with "
                "show_error=True to see them).")


@dataclass(frozen=True)
class Toast:
    """A message the page would pop up: `gr.Info`/`Warning`/`Success`, or an error."""

    level: str  # "info", "warning", "success" or "error"
    message: str
    title: str | None = None
    duration: float | None = None


@dataclass(frozen=True)
class Failure:
    """An event that failed: `message` as the page shows it (`gr.Error`'s text)."""

    message: str
    title: str = "Error"
    visible: bool = True
    shared: bool = True  # False: the app hid the details (launched without show_error)


@dataclass
class Run:
    """One event run: the one triggered, or one its `.then()` chain or an output's change
    started. `data` is its final output list (None when it failed or sent none)."""

    fn_index: int
    api_name: str | None
    trigger: tuple[int | None, str]  # (component id, event); (None, "then") for a chain
    success: bool = False
    data: list[Any] | None = None
    steps: list[list[Any]] = field(default_factory=list)  # each streamed output list
    toasts: list[Toast] = field(default_factory=list)
    progress: list[list[dict[str, Any]]] = field(default_factory=list)
    failure: Failure | None = None
    invalid: dict[int, str] = field(default_factory=dict)  # validator=: input id -> reason
    event_id: str | None = None


@dataclass(frozen=True)
class Step:
    """One intermediate output of a streaming event (a generator's yield)."""

    run: Run
    data: list[Any]
    outputs: dict[int, Any]  # output component id -> its value in this step

    def __getitem__(self, component: Any) -> Any:
        return self.outputs[_id_of(component)]


@dataclass
class Result:
    """Everything one user action set off, finished: every run, in the order they began."""

    runs: list[Run] = field(default_factory=list)
    outputs: dict[int, Any] = field(default_factory=dict)  # component id -> last value set

    def __getitem__(self, component: Any) -> Any:
        """The last value the action wrote to `component` (a handle, component or id)."""
        key = _id_of(component)
        if key not in self.outputs:
            raise KeyError(f"no event of this action wrote to component {key}")
        return self.outputs[key]

    @property
    def ok(self) -> bool:
        return all(run.success for run in self.runs)

    @property
    def data(self) -> list[Any] | None:
        """The first run's final outputs (the event the action triggered)."""
        return self.runs[0].data if self.runs else None

    @property
    def toasts(self) -> list[Toast]:
        return [toast for run in self.runs for toast in run.toasts]

    @property
    def failures(self) -> list[Failure]:
        return [run.failure for run in self.runs if run.failure is not None]

    @property
    def errors(self) -> list[str]:
        return [failure.message for failure in self.failures]

    @property
    def error(self) -> str | None:
        """The first error's message, None when every run succeeded."""
        return self.errors[0] if self.errors else None

    @property
    def steps(self) -> list[list[Any]]:
        return [step for run in self.runs for step in run.steps]

    @property
    def invalid(self) -> dict[int, str]:
        """Inputs a `validator=` refused: component id -> the reason shown on it."""
        return {k: v for run in self.runs for k, v in run.invalid.items()}

    def messages(self, level: str) -> list[str]:
        """The toasts' texts of one level: `result.messages("warning")`."""
        return [toast.message for toast in self.toasts if toast.level == level]


def _id_of(component: Any) -> int:
    if isinstance(component, int):
        return component
    found = getattr(component, "id", None)
    if not isinstance(found, int):
        raise TypeError(f"not a component, handle or id: {component!r}")
    return found
