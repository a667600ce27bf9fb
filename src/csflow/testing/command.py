"""Commands as values, and replay: run them on a fresh desk and collect the events.

A failing command list from a property test or a bug report is a regression test: the desk is
deterministic, so :func:`replay` gives the same events every time.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import attrs

from csflow.desk import Desk, DeskConfig
from csflow.errors import CsflowError, InvalidTransitionError
from csflow.events import Event

__all__ = ["Command", "replay"]


@attrs.frozen
class Command:
    """One desk command: ``Command("submit", at, ticket)``, ``Command("reply", at, "t1", "sari")``.

    Attributes:
        name: A :class:`~csflow.desk.Desk` method (``submit``, ``advance``, ``set_presence`` ...).
        at: When.
        args: Its positional arguments.
    """

    name: str
    at: datetime
    args: tuple[Any, ...] = ()

    def apply(self, desk: Desk) -> list[Event]:
        """Run the command on *desk* and return its events.

        Args:
            desk: The desk to run it on.

        Returns:
            The events of the command.

        Raises:
            InvalidTransitionError: *name* is not a desk command.
            CsflowError: Whatever the command raises.
        """
        method = getattr(desk, self.name, None)
        if self.name.startswith("_") or not callable(method):
            raise InvalidTransitionError(f"unknown desk command {self.name!r}")
        result: list[Event] = method(*self.args, at=self.at)
        return result


def replay(config: DeskConfig, commands: Iterable[Command], *, errors: bool = False) -> list[Event]:
    """Run *commands* against a fresh desk built from *config* and return every event.

    Args:
        config: The desk configuration.
        commands: The commands, in order.
        errors: When true, a command that raises a :class:`~csflow.errors.CsflowError` is
            skipped (it changed nothing); when false, it propagates.

    Returns:
        Every event, in order.

    Raises:
        CsflowError: A command was refused and *errors* is false.
    """
    desk = Desk(config)
    out: list[Event] = []
    for cmd in commands:
        try:
            out.extend(cmd.apply(desk))
        except CsflowError:
            if not errors:
                raise
    return out
