"""A stateful machine over a desk built from the user's configuration, to subclass.

:class:`DeskMachine` is a :class:`hypothesis.stateful.RuleBasedStateMachine` whose ``step`` rule
draws a desk command (``submit``, ``reply``, ``escalate`` ...) with a
:class:`~csflow.testing.programs.CommandDriver`, by weight, from what the desk makes possible
now -- the same draw as :func:`~csflow.testing.programs.commands`, so tickets travel their
whole life within a few dozen steps (one rule per kind, chosen uniformly, would mostly submit
and rarely serve) -- for a share of the steps, arbitrary commands (which must change nothing
when refused) -- and the desk's contract (:func:`~csflow.testing.invariants.check_invariants`)
as an ``@invariant``, with every assignment checked
(:func:`~csflow.testing.invariants.check_assignment`: a routable agent with the channel, the
language and the skills the ticket requires).  A command drawn from what the desk makes possible must be accepted: when
the desk refuses one (a policy of the configuration that raises for some customers, say), the
machine fails naming the command and the error (:meth:`DeskMachine.check_refused`), chained to
it -- and so it does when a host policy raises an exception of its own (not a
:class:`~csflow.errors.CsflowError`) for any command.  An
escalation policy that fails while time passes (it raises, or answers with the wrong type) does
not make the desk refuse anything -- the warning or breach is kept, and the
:class:`~csflow.events.SlaEscalated` says so in ``skipped`` -- so the machine fails on such an
event too, naming the command that caught it up.  Every accepted command is applied to a
second, fresh desk of the same configuration as well (:attr:`DeskMachine.check_replay`), and
the machine fails at the first one whose events differ there: a policy that is not a function
of what it is given (``random`` without a seed, a counter it keeps) breaks
:func:`~csflow.testing.command.replay`.  An answer that changes only between processes (the
order of a set of strings, ``hash()`` of one) is the same on both desks and is not caught.

A subclass sets :attr:`DeskMachine.config` and adds its own laws, either as more
``@invariant`` methods or by overriding :meth:`DeskMachine.check_event`, which sees every
event the desk returns::

    class SeniorRule(DeskMachine):
        config = MY_CONFIG

        def check_event(self, event):
            if isinstance(event, TicketAssigned):
                ...

    TestSeniorRule = SeniorRule.TestCase

A failure shrinks to a short list of steps; the notes under it name each command as a
:class:`~csflow.testing.command.Command` with the desk's answer, ready to paste into a
:func:`~csflow.testing.command.replay` regression test: Python source, with enum members as
``Priority.LOW`` and values by their keywords, which evaluates to the command where
``datetime`` (the module), ``zoneinfo``, ``Decimal`` and the names of :mod:`csflow` are
imported.

Coverage: every accepted command is reported as a Hypothesis event ``accepted <kind>``, every
refused one as ``refused <kind>`` and every desk event as ``event <EventClass>``; pytest shows
them with ``--hypothesis-show-statistics``, so a policy path that is never reached shows up as
a missing line.  ``target()`` steers the search towards programs that reach more command and
event kinds.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import ClassVar

import attrs
from hypothesis import event, note, target
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from csflow.desk import Desk, DeskConfig
from csflow.errors import CsflowError, InvariantError
from csflow.events import Event, SlaEscalated, TicketAssigned
from csflow.policies import ESCALATION_POLICY_FAILED
from csflow.testing.command import Command
from csflow.testing.invariants import check_assignment, check_invariants
from csflow.testing.programs import CommandDriver, Draw, Step
from csflow.testing.vocabulary import Vocabulary

__all__ = ["DeskMachine"]


def _source(value: object) -> str:
    """*value* as Python source: ``repr``, but enum members as ``Priority.LOW`` (not
    ``<Priority.LOW: 0>``), attrs values by their init keywords (those not at their default)
    and mappings as dicts, so that a note pastes into a test."""
    if isinstance(value, enum.Enum):
        return f"{type(value).__name__}.{value.name}"
    if attrs.has(type(value)):
        parts = []
        fields: tuple[attrs.Attribute[object], ...] = type(value).__attrs_attrs__  # type: ignore[attr-defined]
        for a in fields:
            if not a.init:
                continue
            v = getattr(value, a.name)
            default: object = a.default
            if default is not attrs.NOTHING and not hasattr(default, "factory") and v == default:
                continue  # at its default (a factory's is not compared: it is built anew)
            parts.append(f"{a.alias or a.name}={_source(v)}")
        return f"{type(value).__name__}({', '.join(parts)})"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{_source(k)}: {_source(v)}" for k, v in value.items()) + "}"
    if isinstance(value, tuple):
        inner = ", ".join(_source(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, list):
        return "[" + ", ".join(_source(v) for v in value) + "]"
    if isinstance(value, frozenset | set) and value:
        return "{" + ", ".join(sorted(_source(v) for v in value)) + "}"
    return repr(value)


def _command_source(cmd: Command) -> str:
    # The command as source to paste into a replay test.
    args = f", {_source(cmd.args)}" if cmd.args or cmd.kwargs else ""
    if cmd.kwargs:
        args += f", {_source(dict(cmd.kwargs))}"
    return f"Command({cmd.name!r}, {cmd.at!r}{args})"


def _describe(step: Step) -> str:
    # The command as source to paste into a replay test, then what the desk made of it.
    code = _command_source(step.command)
    if step.error is not None:
        return f"{code}  # refused: {type(step.error).__name__}: {step.error}"
    names = ", ".join(type(e).__name__ for e in step.events) or "no events"
    return f"{code}  # {names}"


class DeskMachine(RuleBasedStateMachine):
    """A Hypothesis state machine driving a desk built from :attr:`config`.

    Class attributes a subclass sets:

    * :attr:`config` -- the :class:`~csflow.desk.DeskConfig` (or a
      :class:`~csflow.testing.vocabulary.Vocabulary` of it, to add names it does not mention);
    * :attr:`start` -- the first instant;
    * :attr:`refusals` -- the share of steps drawn with arbitrary arguments;
    * :attr:`check_replay` -- replay every accepted command on a second desk of the same
      configuration and fail when its events differ (on by default).

    Attributes:
        driver: The command driver (its ``desk`` is :attr:`desk`).
        desk: The desk under test.
        events: Every event so far.
        accepted: The accepted commands so far (``replay(config, accepted)`` rebuilds the desk).
    """

    config: ClassVar[DeskConfig | Vocabulary] = DeskConfig()
    start: ClassVar[datetime] = datetime(2026, 3, 2, 9, tzinfo=UTC)
    refusals: ClassVar[float] = 0.1
    #: Apply every accepted command to a second, fresh desk of the same configuration too,
    #: and fail at the first command whose events differ there: a policy of the
    #: configuration that is not a function of what it is given (``random`` without a seed,
    #: a counter it keeps, the wall clock) breaks :func:`~csflow.testing.command.replay`
    #: and the desk's own undo.  A subclass that applies commands to :attr:`desk` itself
    #: (not through :meth:`run`) turns it off.
    check_replay: ClassVar[bool] = True

    def __init__(self) -> None:
        super().__init__()
        cls = type(self)
        self.driver = CommandDriver(
            cls.config, start=cls.start, refusals=cls.refusals, check_refusals=True
        )
        self.desk: Desk = self.driver.desk
        self._again = Desk(self.driver.vocabulary.config) if cls.check_replay else None
        self.events: list[Event] = []
        self.accepted: list[Command] = []
        self._kinds: set[str] = set()
        self._event_kinds: set[str] = set()

    def check_event(self, event: Event) -> None:
        """A hook called with every event the desk returns; raise ``AssertionError`` to fail.

        The desk has already applied the command, so :attr:`desk` shows the state after it.

        Args:
            event: One event.
        """

    def check_refused(self, step: Step) -> None:
        """Called with every step the desk refused although it was drawn from what the desk
        makes possible (:attr:`Step.refusal` is false), and with every step whose command
        raised something other than a :class:`~csflow.errors.CsflowError` (a host policy's
        own exception, which the desk lets through), however it was drawn: by default a
        failure.

        A well-formed command -- a reply from the agent who has the ticket, a submission of a
        new ticket -- refused by the desk usually means a policy of the configuration raises
        (a priority policy without an entry for some tier: a ``KeyError``, say), and the
        customer's ticket is lost.  A subclass whose configuration refuses some such commands
        on purpose overrides this to let them through (return), after checking the error is
        the expected one; the machine goes on, the refused command having changed nothing.

        Args:
            step: The refused step (its ``error`` is set).

        Raises:
            InvariantError: Always, naming the command and the error, chained to the error
                (``raise ... from step.error``), so its traceback shows where the policy
                raised.
        """
        error = step.error
        drawn = "an arbitrary command" if step.refusal else "a command drawn as possible"
        raise InvariantError(
            f"the desk refused {drawn}: {step.command!r} raised {type(error).__name__}: {error}"
        ) from error

    def run(self, draw: Draw, kind: str | None, *, refused: bool | None = None) -> list[Step]:
        """Draw one step of *kind* (see :meth:`CommandDriver.step`), apply it and report it.

        Args:
            draw: A Hypothesis draw function.
            kind: The command kind, or ``None`` for any.
            refused: Draw arbitrary arguments; ``None`` draws them for a share
                :attr:`refusals` of the steps.

        Returns:
            The steps that ran.
        """
        steps = self.driver.step(draw, kind, refused=refused)
        for s in steps:
            note(_describe(s))
            if s.error is not None:
                event(f"refused {s.kind}")
                if not s.refusal or not isinstance(s.error, CsflowError):
                    # An arbitrary command must be refused with a CsflowError; anything
                    # else came from a policy (or a bug) whichever way the command was drawn.
                    self.check_refused(s)
                continue
            event(f"accepted {s.kind}")
            self._kinds.add(s.kind)
            self.accepted.append(s.command)
            for e in s.events:
                name = type(e).__name__
                event(f"event {name}")
                self._event_kinds.add(name)
                if isinstance(e, SlaEscalated):
                    failed = [x for x in e.skipped if x.startswith(ESCALATION_POLICY_FAILED)]
                    if failed:
                        raise InvariantError(
                            f"{s.command!r}: on the {e.kind} of {e.metric} of ticket "
                            f"{e.ticket_id!r}, {failed[0]}"
                        )
                if isinstance(e, TicketAssigned):
                    check_assignment(self.desk, e)
                self.check_event(e)
            if self._again is not None:
                # After the events' own checks: a failing policy is named as such, though its
                # answer's text (an object's address in its repr) differs on the second desk.
                self._check_replay(s)
            self.events += s.events
        return steps

    def _check_replay(self, step: Step) -> None:
        # The same command on the second desk, which has seen the same accepted commands.
        assert self._again is not None
        code = _command_source(step.command)
        n = len(self.accepted) - 1
        where = (
            f"on a fresh desk of the same configuration, after the same {n} accepted "
            f"command{'' if n == 1 else 's'} before it, the command"
        )
        try:
            again = tuple(step.command.apply(self._again))
        except Exception as exc:
            raise InvariantError(
                f"the desk is not deterministic: {code} was accepted, but "
                f"{where} raised {type(exc).__name__}: {exc} (a policy that is not a function "
                f"of what it is given?)"
            ) from exc
        if again != step.events:
            first = next(
                (i for i, (a, b) in enumerate(zip(step.events, again, strict=False)) if a != b),
                min(len(step.events), len(again)),
            )
            seen = repr(step.events[first]) if first < len(step.events) else "no more events"
            other = repr(again[first]) if first < len(again) else "no more events"
            raise InvariantError(
                f"the desk is not deterministic: {code} gave event "
                f"{first + 1} {seen}, but {where} gave {other} (a policy that is not a "
                f"function of what it is given?)"
            )

    @rule(data=st.data())
    def step(self, data: st.DataObject) -> None:
        """A command drawn, by weight, from what the desk makes possible now, which the desk
        must accept (or, for a share :attr:`refusals` of the steps, an arbitrary one, which
        must change nothing when refused)."""
        self.run(data.draw, None)

    @invariant()
    def desk_keeps_its_contract(self) -> None:
        """:func:`~csflow.testing.invariants.check_invariants` after every step."""
        check_invariants(self.desk)

    def teardown(self) -> None:
        """Steer the search towards programs that reach more command and event kinds."""
        target(float(len(self._kinds)), label="accepted command kinds")
        target(float(len(self._event_kinds)), label="event kinds")
