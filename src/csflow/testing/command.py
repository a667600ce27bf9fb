"""Commands as values, and replay: run them on a fresh desk and collect the events.

A failing command list from a property test or a bug report is a regression test: the desk is
deterministic, so :func:`replay` gives the same events every time.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Final

import attrs

from csflow._text import show
from csflow.desk import Desk, DeskConfig
from csflow.desk.commands import COMMANDS
from csflow.errors import ConfigError, CsflowError, InvalidTransitionError
from csflow.events import Event
from csflow.testing.vocabulary import Vocabulary

__all__ = ["DESK_COMMANDS", "Command", "replay"]

#: The names of the desk's commands (the :class:`~csflow.desk.Desk` methods that take ``at=``
#: and change the desk), as :mod:`csflow.desk.commands` lists them.
DESK_COMMANDS: Final[tuple[str, ...]] = tuple(sorted(c.method for c in COMMANDS.values()))


@attrs.frozen
class Command:
    """One desk command: ``Command("submit", at, (ticket,))``, ``Command("reply", at, ("t1",
    "sari"))``, ``Command("update_agent", at, (profile,), {"routing_profile": "finance"})``.

    Attributes:
        name: A :class:`~csflow.desk.Desk` method (``submit``, ``advance``, ``set_presence`` ...).
        at: When.
        args: Its positional arguments.
        kwargs: Its keyword arguments other than ``at`` (``routing_profile`` and ``presence``
            of ``add_agent``, ``routing_profile`` of ``update_agent``); a mapping of
            argument names to values, empty by default.  Not hashed (a command with keyword
            arguments is still hashable); compared.
    """

    name: str
    at: datetime
    args: tuple[Any, ...] = ()
    kwargs: Mapping[str, Any] = attrs.field(factory=dict, hash=False)

    def apply(self, desk: Desk) -> list[Event]:
        """Run the command on *desk* and return its events.

        A desk command is a :class:`~csflow.desk.Desk` method that takes ``at=`` and changes
        the desk (one of :data:`DESK_COMMANDS`); a query (``snapshot``, ``ticket``,
        ``queue_names`` ...) is not one.  A command refused here changed nothing.

        Args:
            desk: The desk to run it on.

        Returns:
            The events of the command.

        Raises:
            InvalidTransitionError: *name* is not a desk command, or *args* and *kwargs* do
                not fit its parameters (too many, too few, an unknown keyword, ``at`` among
                the keywords).
            CsflowError: Whatever the command raises.
        """
        if not isinstance(self.name, str) or self.name not in DESK_COMMANDS:
            raise InvalidTransitionError(
                f"unknown desk command {self.name!r}; expected one of {', '.join(DESK_COMMANDS)}"
            )
        if not isinstance(self.args, (tuple, list)):
            raise InvalidTransitionError(
                f"desk command {self.name!r}: args must be a tuple of arguments, got {self.args!r}"
            )
        kwargs = self.kwargs
        if not isinstance(kwargs, Mapping) or not all(isinstance(k, str) for k in kwargs):
            raise InvalidTransitionError(
                f"desk command {self.name!r}: kwargs must be a mapping of argument names to "
                f"values, got {kwargs!r}"
            )
        if "at" in kwargs:
            raise InvalidTransitionError(
                f"desk command {self.name!r}: 'at' is the command's own instant, not one of "
                f"its kwargs {dict(kwargs)!r}"
            )
        method = getattr(desk, self.name)
        try:
            inspect.signature(method).bind(*self.args, at=self.at, **kwargs)
        except TypeError as exc:
            shown = f"{self.args!r} and {dict(kwargs)!r}" if kwargs else repr(self.args)
            raise InvalidTransitionError(
                f"desk command {self.name!r} does not take the arguments {shown}: {exc}"
            ) from None
        result: list[Event] = method(*self.args, at=self.at, **kwargs)
        return result


def replay(
    config: DeskConfig | Vocabulary, commands: Iterable[Command], *, errors: bool = False
) -> list[Event]:
    """Run *commands* against a fresh desk built from *config* and return every event.

    Args:
        config: The desk configuration, or a
            :class:`~csflow.testing.vocabulary.Vocabulary` of it (the ``config`` of a
            :class:`~csflow.testing.machine.DeskMachine` that draws more names).
        commands: The commands, in order.
        errors: When true, a command that raises a :class:`~csflow.errors.CsflowError` is
            skipped (it changed nothing); when false, it propagates.

    Returns:
        Every event, in order.

    Raises:
        ConfigError: *commands* is not an iterable of :class:`Command` values (a string, a
            number, an item of another type), naming it.
        CsflowError: A command was refused and *errors* is false.
    """
    if isinstance(commands, str | bytes | Mapping) or not isinstance(commands, Iterable):
        raise ConfigError(f"commands must be an iterable of Command values, got {show(commands)}")
    desk = Desk(config.config if isinstance(config, Vocabulary) else config)
    out: list[Event] = []
    for i, cmd in enumerate(commands):
        if not isinstance(cmd, Command):
            raise ConfigError(f"expected a Command, got {show(cmd)}", f"commands[{i}]")
        try:
            out.extend(cmd.apply(desk))
        except CsflowError:
            if not errors:
                raise
    return out
