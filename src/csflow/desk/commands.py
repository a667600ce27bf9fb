"""Desk commands as values: what a host journals, and what :meth:`Desk.apply` runs.

Every command of a :class:`~csflow.desk.Desk` is also a frozen value here, one class per
method (``Submit(ticket, at=...)`` is ``desk.submit(ticket, at=...)``), with a plain-data form::

    {"type": "Reply", "version": 1, "at": "2026-03-02T09:05:00+00:00",
     "ticket_id": "t1", "agent_id": "sari"}

A host that persists a desk appends each command it applied (the dict of :meth:`to_dict`) to
its own journal; :meth:`Desk.restore(config, snapshot, journal=...)
<csflow.desk.Desk.restore>` replays the journal's tail after a snapshot, and
:func:`command_from_dict` reads one entry back.

Which commands need not be journaled
------------------------------------
A command that raised changed nothing (the desk's contract), so it is never journaled.  An
:class:`Advance` that moves the desk's clock forward is journaled even when it fires nothing:
it moves the desk's time floor, and a later command before that floor is refused -- a desk
restored without the advance would accept it, and the two futures would part.  What stays out
is an advance to the instant the desk already stands at (a timer that fires twice, a repeated
advance) with nothing due then: it changes nothing at all.  :func:`needs_journal` (asked
*before* applying) says which.  (An advance that returned no events is not enough to leave
out: a relaxation step widens a waiting ticket's requirements without an event, and later
routing depends on it.)  A host whose timer ticks often keeps its journal short by calling
``advance`` when :meth:`~csflow.desk.Desk.next_wakeup` has come, not on every tick.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar, Final

import attrs

from csflow._plain import ENCODABLE, decode_instant, encodable, encode_instant, whole_number
from csflow._text import show
from csflow._time import instant_us
from csflow.desk.host import DeskHost
from csflow.desk.serialisation import (
    profile_from_dict,
    profile_to_dict,
    ticket_from_dict,
    ticket_to_dict,
)
from csflow.errors import ConfigError, CsflowError
from csflow.model import AgentProfile, Priority, Ticket

if TYPE_CHECKING:
    from csflow.events import Event

__all__ = [
    "COMMANDS",
    "COMMAND_VERSION",
    "Abandon",
    "AddAgent",
    "Advance",
    "ApproveGoodwill",
    "Close",
    "Command",
    "CustomerMessage",
    "DeclineGoodwill",
    "Escalate",
    "Forget",
    "GrantGoodwill",
    "RecordFeedback",
    "RemoveAgent",
    "Reopen",
    "Reply",
    "RequestCallback",
    "Requeue",
    "Resolve",
    "SetPresence",
    "SetPriority",
    "SetSlaPolicy",
    "SetStatus",
    "Submit",
    "Transfer",
    "UpdateAgent",
    "command_from_dict",
    "needs_journal",
]

#: The ``version`` every command's plain-data form carries.
COMMAND_VERSION: Final = 1

#: The longest string argument of a command (an id, a name, a reason, a comment) that
#: :func:`command_from_dict` reads back.  The desk refuses a longer one where its own checks
#: do not already hold it shorter (a supervisor's name), so that every command it applied can
#: be journaled and replayed.
_MAX_TEXT: Final = 4096
#: The least int amount with more digits than a journal row's string holds.
_TOO_MANY_DIGITS: Final = 10**_MAX_TEXT


def _text(value: object, path: str, *, optional: bool = False) -> Any:
    if value is None and optional:
        return None
    if not isinstance(value, str) or not value or len(value) > _MAX_TEXT:
        raise ConfigError(f"expected a non-empty string, got {show(value)}", path)
    if not encodable(value):
        raise ConfigError(f"expected {ENCODABLE}, got {show(value)}", path)
    return value


def _aware_at(instance: object, attribute: attrs.Attribute[datetime], value: datetime) -> None:
    # Checked when the value is built, as the desk checks its ``at=``: ``to_dict`` would read
    # a naive datetime in the machine's local zone (a journal row that depends on TZ).
    instant_us(value, "at")


def _priority_name(value: Priority | str) -> str:
    return value.name.lower() if isinstance(value, Priority) else value


def _amount_text(value: object) -> str:
    # Amounts travel as exact decimal strings; a float cannot hold most amounts exactly.
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise ConfigError(f"amount must be a Decimal, an int or a string, got {show(value)}")
    if isinstance(value, int) and abs(value) >= _TOO_MANY_DIGITS:
        # No journal row holds it; and ``str`` of an int past 4,300 digits raises ValueError.
        raise ConfigError(
            f"expected an amount of at most {_MAX_TEXT:,} characters, got {show(value)}",
            "amount",
        )
    return str(value)


def _instant(value: datetime) -> object:
    """What a command's equality compares of its ``at``: the instant (as its journal row
    writes it), so a command read back equals the one written, even one whose ``at`` falls in
    its zone's repeated hour (which Python compares unequal to any datetime in another zone)."""
    try:
        return instant_us(value, "at")
    except CsflowError:  # an ``at`` set behind attrs' back: compared as it is
        return value


@attrs.frozen
class Command:
    """The base of every desk command value: the instant it is applied at.

    Attributes:
        at: When (aware, in years 1 to 9999 in UTC); written in UTC by :meth:`to_dict`.
            Equality and hashing compare it as an instant: a command read back from its row
            equals the command written, also when its ``at`` falls in its zone's repeated
            hour (where Python's ``==`` between datetimes of two zones is ``False``).

    Raises:
        CalendarError: *at* is naive or not a datetime (as the desk's methods raise), when the
            value is built.
        ConfigError: A string argument that is empty, longer than 4,096 characters or not a
            string, when the value is built (:func:`command_from_dict` would not read it
            back; the desk's method refuses it too), at the argument's name.
    """

    #: The :class:`Desk` method the command calls.
    method: ClassVar[str] = ""
    #: Its string arguments, in the method's order.
    args: ClassVar[tuple[str, ...]] = ()
    #: The arguments :func:`command_from_dict` reads as non-empty strings of at most 4,096
    #: characters (``None``: every one of :attr:`args`): checked when the value is built, so
    #: that every value built reads back.
    texts: ClassVar[tuple[str, ...] | None] = None

    at: datetime = attrs.field(kw_only=True, validator=_aware_at, eq=_instant)

    def __attrs_post_init__(self) -> None:
        for a in self.args if self.texts is None else self.texts:
            _text(getattr(self, a), a)

    def apply(self, desk: DeskHost) -> list[Event]:
        """Run the command on *desk* (what :meth:`Desk.apply` does).

        Returns:
            The events the desk method returns.

        Raises:
            CsflowError: Whatever the desk method raises (and then nothing changed).
        """
        method = getattr(desk, self.method)
        return method(*(getattr(self, a) for a in self.args), at=self.at)  # type: ignore[no-any-return]

    def to_dict(self) -> dict[str, Any]:
        """The command as JSON-compatible data (``type`` tag, ``version``, ``at``, arguments)."""
        out: dict[str, Any] = {
            "type": type(self).__name__,
            "version": COMMAND_VERSION,
            "at": encode_instant(self.at),
        }
        for a in self.args:
            out[a] = getattr(self, a)
        return out

    @classmethod
    def _read(cls, data: dict[str, Any], at: datetime, path: str) -> Command:
        fields = {a: _text(data.get(a), f"{path}.{a}") for a in cls.args}
        return cls(at=at, **fields)


def _profile(value: object) -> None:
    if not isinstance(value, AgentProfile):
        raise ConfigError(f"expected an AgentProfile, got {show(value)}", "profile")


@attrs.frozen
class AddAgent(Command):
    """:meth:`Desk.add_agent`.

    Raises:
        ConfigError: When the value is built (as for every command): a *profile* that is not
            an :class:`~csflow.model.AgentProfile` (path ``profile``), a *presence* or a
            *routing_profile* (``None`` aside) that is not a string :func:`command_from_dict`
            reads back (path ``presence``, ``routing_profile``).
    """

    method: ClassVar[str] = "add_agent"

    profile: AgentProfile
    presence: str = "offline"
    routing_profile: str | None = None

    def __attrs_post_init__(self) -> None:
        # Refused when built, so that every value built writes a journal row that reads back.
        _profile(self.profile)
        _text(self.presence, "presence")
        _text(self.routing_profile, "routing_profile", optional=True)

    def apply(self, desk: DeskHost) -> list[Event]:
        return desk.add_agent(
            self.profile, at=self.at, presence=self.presence, routing_profile=self.routing_profile
        )

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        out.update(
            profile=profile_to_dict(self.profile),
            presence=self.presence,
            routing_profile=self.routing_profile,
        )
        return out

    @classmethod
    def _read(cls, data: dict[str, Any], at: datetime, path: str) -> Command:
        return cls(
            profile_from_dict(data.get("profile"), f"{path}.profile"),
            _text(data.get("presence"), f"{path}.presence"),
            _text(data.get("routing_profile"), f"{path}.routing_profile", optional=True),
            at=at,
        )


@attrs.frozen
class UpdateAgent(Command):
    """:meth:`Desk.update_agent`.

    Raises:
        ConfigError: When the value is built (as for every command): a *profile* that is not
            an :class:`~csflow.model.AgentProfile` (path ``profile``), or a *routing_profile*
            that is neither ``None`` nor a string :func:`command_from_dict` reads back
            (path ``routing_profile``).
    """

    method: ClassVar[str] = "update_agent"

    profile: AgentProfile
    routing_profile: str | None = None

    def __attrs_post_init__(self) -> None:
        # Refused when built, so that every value built writes a journal row that reads back.
        _profile(self.profile)
        _text(self.routing_profile, "routing_profile", optional=True)

    def apply(self, desk: DeskHost) -> list[Event]:
        return desk.update_agent(self.profile, at=self.at, routing_profile=self.routing_profile)

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        out.update(profile=profile_to_dict(self.profile), routing_profile=self.routing_profile)
        return out

    @classmethod
    def _read(cls, data: dict[str, Any], at: datetime, path: str) -> Command:
        return cls(
            profile_from_dict(data.get("profile"), f"{path}.profile"),
            _text(data.get("routing_profile"), f"{path}.routing_profile", optional=True),
            at=at,
        )


@attrs.frozen
class SetPresence(Command):
    """:meth:`Desk.set_presence`."""

    method: ClassVar[str] = "set_presence"
    args: ClassVar[tuple[str, ...]] = ("agent_id", "state")
    agent_id: str
    state: str


@attrs.frozen
class RemoveAgent(Command):
    """:meth:`Desk.remove_agent`."""

    method: ClassVar[str] = "remove_agent"
    args: ClassVar[tuple[str, ...]] = ("agent_id",)
    agent_id: str


def _ticket_instant(value: Ticket) -> object:
    """What a ``Submit``'s equality compares of its ticket: the ticket with its creation
    instant in UTC, as the row writes it (see :attr:`Command.at`)."""
    try:
        return attrs.evolve(value, created_at=value.created_at.astimezone(UTC))
    except (AttributeError, TypeError, ValueError, OverflowError, CsflowError):
        return value  # not a ticket (set behind attrs' back): compared as it is


@attrs.frozen
class Submit(Command):
    """:meth:`Desk.submit`.

    Equality compares the ticket's ``created_at`` as an instant, as :attr:`Command.at`.

    Raises:
        ConfigError: When the value is built (as for every command): a *ticket* that is not
            a :class:`~csflow.model.Ticket` (path ``ticket``).
    """

    method: ClassVar[str] = "submit"

    ticket: Ticket = attrs.field(eq=_ticket_instant)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.ticket, Ticket):
            raise ConfigError(f"expected a Ticket, got {show(self.ticket)}", "ticket")

    def apply(self, desk: DeskHost) -> list[Event]:
        return desk.submit(self.ticket, at=self.at)

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        out["ticket"] = ticket_to_dict(self.ticket)
        return out

    @classmethod
    def _read(cls, data: dict[str, Any], at: datetime, path: str) -> Command:
        return cls(ticket_from_dict(data.get("ticket"), f"{path}.ticket"), at=at)


@attrs.frozen
class Reply(Command):
    """:meth:`Desk.reply`."""

    method: ClassVar[str] = "reply"
    args: ClassVar[tuple[str, ...]] = ("ticket_id", "agent_id")
    ticket_id: str
    agent_id: str


@attrs.frozen
class CustomerMessage(Command):
    """:meth:`Desk.customer_message`."""

    method: ClassVar[str] = "customer_message"
    args: ClassVar[tuple[str, ...]] = ("ticket_id",)
    ticket_id: str


@attrs.frozen
class SetStatus(Command):
    """:meth:`Desk.set_status`."""

    method: ClassVar[str] = "set_status"
    args: ClassVar[tuple[str, ...]] = ("ticket_id", "status")
    ticket_id: str
    status: str


@attrs.frozen
class SetPriority(Command):
    """:meth:`Desk.set_priority` (the priority by name: ``low`` ... ``urgent``)."""

    method: ClassVar[str] = "set_priority"
    args: ClassVar[tuple[str, ...]] = ("ticket_id", "priority")
    ticket_id: str
    priority: str = attrs.field(converter=_priority_name)


@attrs.frozen
class SetSlaPolicy(Command):
    """:meth:`Desk.set_sla_policy`."""

    method: ClassVar[str] = "set_sla_policy"
    args: ClassVar[tuple[str, ...]] = ("ticket_id", "policy")
    ticket_id: str
    policy: str


@attrs.frozen
class Transfer(Command):
    """:meth:`Desk.transfer` (*to*: an agent or a team)."""

    method: ClassVar[str] = "transfer"
    args: ClassVar[tuple[str, ...]] = ("ticket_id", "to")
    ticket_id: str
    to: str


@attrs.frozen
class Escalate(Command):
    """:meth:`Desk.escalate`."""

    method: ClassVar[str] = "escalate"
    args: ClassVar[tuple[str, ...]] = ("ticket_id", "team")
    ticket_id: str
    team: str


@attrs.frozen
class RequestCallback(Command):
    """:meth:`Desk.request_callback`."""

    method: ClassVar[str] = "request_callback"
    args: ClassVar[tuple[str, ...]] = ("ticket_id",)
    ticket_id: str


@attrs.frozen
class Requeue(Command):
    """:meth:`Desk.requeue`."""

    method: ClassVar[str] = "requeue"
    args: ClassVar[tuple[str, ...]] = ("ticket_id", "agent_id")
    ticket_id: str
    agent_id: str


@attrs.frozen
class Abandon(Command):
    """:meth:`Desk.abandon`."""

    method: ClassVar[str] = "abandon"
    args: ClassVar[tuple[str, ...]] = ("ticket_id",)
    ticket_id: str


@attrs.frozen
class Resolve(Command):
    """:meth:`Desk.resolve`."""

    method: ClassVar[str] = "resolve"
    args: ClassVar[tuple[str, ...]] = ("ticket_id", "agent_id")
    ticket_id: str
    agent_id: str


@attrs.frozen
class Reopen(Command):
    """:meth:`Desk.reopen`."""

    method: ClassVar[str] = "reopen"
    args: ClassVar[tuple[str, ...]] = ("ticket_id",)
    ticket_id: str


@attrs.frozen
class Close(Command):
    """:meth:`Desk.close`."""

    method: ClassVar[str] = "close"
    args: ClassVar[tuple[str, ...]] = ("ticket_id",)
    ticket_id: str


@attrs.frozen
class Forget(Command):
    """:meth:`Desk.forget`."""

    method: ClassVar[str] = "forget"
    args: ClassVar[tuple[str, ...]] = ("ticket_id",)
    ticket_id: str


@attrs.frozen
class Advance(Command):
    """:meth:`Desk.advance`."""

    method: ClassVar[str] = "advance"


@attrs.frozen
class RecordFeedback(Command):
    """:meth:`Desk.record_feedback` (a rating on the documented scale, an optional comment)."""

    method: ClassVar[str] = "record_feedback"
    args: ClassVar[tuple[str, ...]] = ("ticket_id", "rating", "comment")
    texts: ClassVar[tuple[str, ...] | None] = ("ticket_id",)
    ticket_id: str
    rating: int
    comment: str = ""

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        _feedback(self.rating, self.comment, "")

    @classmethod
    def _read(cls, data: dict[str, Any], at: datetime, path: str) -> Command:
        rating = data.get("rating")
        whole = whole_number(rating)  # ``4.0`` too; ``4.5``, ``true`` are refused below
        if whole is not None:
            rating = whole
        comment = data.get("comment", "")
        _feedback(rating, comment, f"{path}.")
        return cls(_text(data.get("ticket_id"), f"{path}.ticket_id"), rating, comment, at=at)  # type: ignore[arg-type]


def _feedback(rating: object, comment: object, prefix: str) -> None:
    """A feedback command's rating (an int, not a bool) and comment (a string of at most
    4,096 characters), as a journal row reads them back."""
    if type(rating) is not int:
        raise ConfigError(f"expected an int, got {show(rating)}", f"{prefix}rating")
    if not isinstance(comment, str) or len(comment) > _MAX_TEXT:
        raise ConfigError(f"expected a string, got {show(comment)}", f"{prefix}comment")
    if not encodable(comment):
        raise ConfigError(f"expected {ENCODABLE}, got {show(comment)}", f"{prefix}comment")


@attrs.frozen
class GrantGoodwill(Command):
    """:meth:`Desk.grant_goodwill` (the amount as an exact decimal string, e.g. ``"25000"``)."""

    method: ClassVar[str] = "grant_goodwill"
    args: ClassVar[tuple[str, ...]] = ("ticket_id", "agent_id", "amount", "reason")
    ticket_id: str
    agent_id: str
    amount: str = attrs.field(converter=_amount_text)
    reason: str


@attrs.frozen
class ApproveGoodwill(Command):
    """:meth:`Desk.approve_goodwill`."""

    method: ClassVar[str] = "approve_goodwill"
    args: ClassVar[tuple[str, ...]] = ("request_id", "supervisor")
    request_id: str
    supervisor: str


@attrs.frozen
class DeclineGoodwill(Command):
    """:meth:`Desk.decline_goodwill`."""

    method: ClassVar[str] = "decline_goodwill"
    args: ClassVar[tuple[str, ...]] = ("request_id", "supervisor")
    request_id: str
    supervisor: str


#: Every command class by its type tag.
COMMANDS: Final[dict[str, type[Command]]] = {
    c.__name__: c
    for c in (
        AddAgent,
        UpdateAgent,
        SetPresence,
        RemoveAgent,
        Submit,
        Reply,
        CustomerMessage,
        SetStatus,
        SetPriority,
        SetSlaPolicy,
        Transfer,
        Escalate,
        RequestCallback,
        Requeue,
        Abandon,
        Resolve,
        Reopen,
        Close,
        Forget,
        Advance,
        RecordFeedback,
        GrantGoodwill,
        ApproveGoodwill,
        DeclineGoodwill,
    )
}


def command_from_dict(data: object, path: str = "command") -> Command:
    """The command :meth:`Command.to_dict` wrote, dispatched on its ``type`` tag.

    Version 1 is the only version so far; a newer one is refused (upgrade csflow to read it).
    The version and a feedback rating may be written with a zero fraction (``1.0``, as a
    producer whose numbers are all floats writes it): each reads as the int.

    Raises:
        ConfigError: Not a mapping, an unknown type or key, a ``version`` newer than
            :data:`COMMAND_VERSION`, a missing or malformed field -- with the path to it (an
            unknown key at its own path, ``command.agentId``), inside a ticket or profile
            too (``command.ticket.customer.id``, ``command.profile.capacity.chat``).
    """
    if not isinstance(data, dict):
        raise ConfigError(f"expected a mapping, got {show(data)}", path)
    version = whole_number(data.get("version"))  # ``1.0`` too (see whole_number)
    if version is None or version < 1:
        raise ConfigError(
            f"expected a positive int, got {show(data.get('version'))}", f"{path}.version"
        )
    if version > COMMAND_VERSION:
        raise ConfigError(
            f"command format version {show(version)} is newer than this csflow reads "
            f"({COMMAND_VERSION}); upgrade csflow",
            f"{path}.version",
        )
    tag = data.get("type")
    cls = COMMANDS.get(tag) if isinstance(tag, str) else None
    if cls is None:
        raise ConfigError(
            f"unknown command type {show(tag)}; expected one of {show(sorted(COMMANDS))}",
            f"{path}.type",
        )
    allowed = {"type", "version", "at", *cls.args}
    if cls is AddAgent:
        allowed |= {"profile", "presence", "routing_profile"}
    elif cls is UpdateAgent:
        allowed |= {"profile", "routing_profile"}
    elif cls is Submit:
        allowed.add("ticket")
    for k in data:
        if k not in allowed:
            raise ConfigError(
                f"unknown key {show(k)}; expected one of {show(sorted(allowed))}",
                f"{path}.{k}" if isinstance(k, str) and len(k) <= 64 else path,
            )
    at = decode_instant(data.get("at"), f"{path}.at")
    try:
        return cls._read(data, at, path)
    except ConfigError:
        raise
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"cannot read {tag} command: {exc}", path) from None


def needs_journal(desk: DeskHost, command: Command) -> bool:
    """Whether *command* must go in the journal; ask before applying it.

    Every command does, except an :class:`Advance` to the instant the desk already stands at
    (:attr:`~csflow.desk.Desk.now`) when nothing is due then: it changes nothing.  An advance
    that moves the desk's clock forward is journaled though it fire nothing, since it moves
    the desk's time floor (a later command before it is refused), and a desk restored without
    it would accept what this one refuses.  (A command that raises is never journaled: it
    changed nothing.)
    """
    if not isinstance(command, Advance):
        return True
    at = instant_us(command.at, "at")
    now = desk.now
    if now is None or at > instant_us(now, "now"):
        return True  # it moves the time floor
    wake = desk.next_wakeup_us()
    return wake is not None and wake <= at
