"""The desk's mutable record of one ticket (never handed to a host: views are built from it).

A record's ``state`` is written only by :meth:`Desk._transition` (the lifecycle table's one
applier); the other fields are the desk's bookkeeping around it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from csflow._config import join_path, mapping
from csflow._text import show
from csflow._time import MIN_US, to_us
from csflow.desk.serialisation import ticket_from_dict, ticket_to_dict
from csflow.errors import ConfigError
from csflow.events import Event, event_from_dict
from csflow.model import Ticket, TicketStatus
from csflow.sla import SlaPolicy, SlaTarget, TicketSla
from csflow.sla.ticket import _Facts

__all__ = ["TicketRecord", "record_from_state", "record_to_state"]


class TicketRecord:
    """A ticket's mutable record at the desk.

    Attributes:
        ticket: The ticket as the desk knows it now (priority after triage and changes).
        state: Its lifecycle state.
        agent: The holder when ``assigned``; the owner while ``pending``, ``on_hold`` or
            ``solved``.
        queue: The queue it waits in (or last waited in).
        queued_us: Its place in line: when it (last) started waiting, in microseconds.  A
            ticket put back in line because its agent left keeps it.
        waiting_since_us: When it last went into line (``queued_us`` unless it was put back
            keeping its place): ``TicketAssigned.waited`` and ``TicketAbandoned.waited``
            count from here.
        sla: Its SLA clocks, or ``None``.
        facts: While it has no SLA, what a policy given later needs of its past (its status
            spells, first reply, unanswered customer message, last reply; the SLA keeps
            them once it has one); ``None`` with an SLA, or when restored from a snapshot
            older than them.
        policy: Its SLA policy's name, or ``None``.
        armed: The SLA deadline pushed on the desk's timer heap, if any.
        closing: When the desk closes the solved ticket (``DeskConfig.close_solved_after``),
            if it will: the instant of its live close timer.
        callback: It is a call-back not yet made: waiting in line on the phone, or held by
            the agent calling (a requeue keeps it one).  Cleared once the call was made: its
            agent parks it, resolves it or hands it over.
        survey_version: Bumped whenever a pending survey stops being due.
        tags: Tags the triage rules (and the escalation policy) added.
        history: Its events, when the desk keeps history.
        order: Its place in the order of submission among the tickets the desk holds (SLA
            timers due at one instant fire in this order).
    """

    __slots__ = (
        "agent",
        "armed",
        "callback",
        "closing",
        "facts",
        "history",
        "order",
        "policy",
        "queue",
        "queued_us",
        "sla",
        "state",
        "survey_version",
        "tags",
        "ticket",
        "waiting_since_us",
    )

    def __init__(self, ticket: Ticket, state: TicketStatus, queue: str, at_us: int) -> None:
        self.ticket = ticket
        self.state = state
        self.agent: str | None = None
        self.queue = queue
        self.queued_us = at_us
        self.waiting_since_us = at_us
        self.sla: TicketSla | None = None
        self.facts: _Facts | None = None
        self.policy: str | None = None
        self.armed: int | None = None
        self.closing: int | None = None
        self.callback = False
        self.survey_version = 0
        self.tags: tuple[str, ...] = ()
        self.history: list[Event] | None = None
        self.order = 0


#: The states a desk's ticket can be in (``new`` and ``open`` are for SLA-only hosts).
_DESK_STATES: Final = frozenset(TicketStatus) - {TicketStatus.NEW, TicketStatus.OPEN}
#: The longest id a desk takes (an agent profile's, a ticket's: csflow.model).
_MAX_ID: Final = 256
_KEYS: Final = (
    "ticket",
    "state",
    "agent",
    "queue",
    "queued_us",
    "policy",
    "callback",
    "survey_version",
    "tags",
    "sla",
    "history",
)
#: The optional key of a record put back in line keeping its place.
_SINCE: Final = "waiting_since_us"
#: The optional key of a ticket's facts while it has no SLA (older snapshots lack it).
_FACTS: Final = "sla_facts"


def record_to_state(r: TicketRecord, at_us: int | None = None) -> dict[str, Any]:
    """A record as plain data for a state snapshot (:func:`record_from_state` reads it).

    The SLA clocks are written by :meth:`TicketSla.to_dict <csflow.sla.TicketSla.to_dict>`,
    the history (when the desk keeps it) by each event's ``to_dict``; ``armed`` is left out
    (the desk's timers say it), and so is ``closing``.  ``waiting_since_us`` is written only when it differs from
    ``queued_us`` (a ticket put back in line keeping its place), so other records read as
    before.  A ticket without an SLA writes its facts (``sla_facts``, what a policy given
    later needs of its past); the SLA writes them for a ticket with one.
    """
    if r.sla is not None:
        # A running clock computes its deadline when first asked: ask now, so that the
        # snapshot does not depend on whether a view asked before.
        for c in r.sla.clocks.values():
            c.due_us  # noqa: B018
    out = {
        "ticket": ticket_to_dict(r.ticket),
        "state": r.state.value,
        "agent": r.agent,
        "queue": r.queue,
        "queued_us": r.queued_us,
        "policy": r.policy,
        "callback": r.callback,
        "survey_version": r.survey_version,
        "tags": list(r.tags),
        "sla": None if r.sla is None else r.sla.to_dict(at_us=at_us),
        "history": None if r.history is None else [e.to_dict() for e in r.history],
    }
    if r.waiting_since_us != r.queued_us:
        out[_SINCE] = r.waiting_since_us
    if r.sla is None and r.facts is not None:
        out[_FACTS] = r.facts.to_dict()
    return out


def record_from_state(
    data: object,
    policies: Mapping[str, SlaPolicy],
    now_us: int,
    path: str = "ticket",
    *,
    keep_history: bool = True,
    specs: dict[tuple[Any, ...], SlaTarget] | None = None,
    shared: dict[tuple[Any, ...], Any] | None = None,
) -> TicketRecord:
    """The record :func:`record_to_state` wrote, under the SLA *policies* of the config.

    With *keep_history* the ticket keeps the history written (empty when none was); without,
    it keeps none.  *specs*: a cache of SLA targets shared by the records of one restore (see
    :meth:`SlaClock.from_dict <csflow.sla.SlaClock.from_dict>`); *shared*: the tiers and
    customers they share (see :func:`~csflow.desk.serialisation.ticket_from_dict`).

    Raises:
        ConfigError: Malformed data, an unknown state or SLA policy, an instant after
            *now_us*; with the path to it.
    """
    d = mapping(data, path)
    if set(d) - {_SINCE, _FACTS} != set(_KEYS):
        raise ConfigError(
            f"expected the keys {show(sorted(_KEYS))} (and maybe {show(_SINCE)}, "
            f"{show(_FACTS)}), got "
            f"{show(sorted(d))}",
            path,
        )
    ticket = ticket_from_dict(d["ticket"], join_path(path, "ticket"), shared=shared)
    raw = d["state"]
    state = TicketStatus(raw) if isinstance(raw, str) and raw in _DESK_STATES else None
    if state is None:
        raise ConfigError(f"unknown ticket state {show(raw)}", join_path(path, "state"))
    queued = d["queued_us"]
    if type(queued) is not int or not MIN_US <= queued <= now_us:
        raise ConfigError(
            f"expected an int of microseconds not after the snapshot's instant, got {show(queued)}",
            join_path(path, "queued_us"),
        )
    for key in ("agent", "policy"):
        if d[key] is not None and not isinstance(d[key], str):
            raise ConfigError(
                f"expected a string or null, got {show(d[key])}", join_path(path, key)
            )
    agent = d["agent"]
    if agent is not None and not 0 < len(agent) <= _MAX_ID:
        # An agent's id, as add_agent takes it: the views and events (a reopen's
        # last_agent) carry it, and a later snapshot's history reads it back.
        raise ConfigError(
            f"expected an agent id of 1 to {_MAX_ID} characters or null, got {show(agent)}",
            join_path(path, "agent"),
        )
    if not isinstance(d["queue"], str):
        raise ConfigError(
            f"expected a queue name, got {show(d['queue'])}", join_path(path, "queue")
        )
    if type(d["callback"]) is not bool:
        raise ConfigError(
            f"expected true or false, got {show(d['callback'])}", join_path(path, "callback")
        )
    version = d["survey_version"]
    if type(version) is not int or version < 0:
        raise ConfigError(
            f"expected a count, got {show(version)}", join_path(path, "survey_version")
        )
    tags = d["tags"]
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise ConfigError(f"expected a list of strings, got {show(tags)}", join_path(path, "tags"))
    since = d.get(_SINCE, queued)
    if type(since) is not int or not queued <= since <= now_us:
        raise ConfigError(
            "expected an int of microseconds from the ticket's place in line (queued_us) to "
            f"the snapshot's instant, got {show(since)}",
            join_path(path, _SINCE),
        )
    r = TicketRecord(ticket, state, d["queue"], queued)
    r.waiting_since_us = since
    r.agent = d["agent"]
    r.policy = d["policy"]
    r.callback = d["callback"]
    r.survey_version = version
    r.tags = tuple(tags)
    if d["sla"] is not None:
        where = join_path(path, "sla")
        sla = mapping(d["sla"], where)
        if sla.get("policy") != r.policy or sla.get("ticket_id") != ticket.id:
            raise ConfigError(
                f"the clocks are of policy {show(sla.get('policy'))} and ticket "
                f"{show(sla.get('ticket_id'))}, the record's {show(r.policy)} and {show(ticket.id)}",
                where,
            )
        last = sla.get("last")
        if type(last) is not int or last > now_us:
            raise ConfigError(
                f"an instant after the snapshot's, got {show(last)}", join_path(where, "last")
            )
        r.sla = TicketSla.from_dict(sla, policies, where, specs=specs)
        facts = r.sla._facts
        if facts is not None and (
            facts.spells[-2] > now_us
            or any(u is not None and u > now_us for u in (facts.first, facts.waiting, facts.cycle))
        ):
            # Checked against the snapshot's instant, which TicketSla.from_dict does not know
            # (the spells are in time order: the last one's is the latest): re-read to name
            # what is after it.
            _Facts.from_dict(sla["facts"], now_us, join_path(where, "facts"))
        for metric, clock in r.sla.clocks.items():
            at = f"{where}.clocks.{metric.value}"
            # A clock's instants are up to the snapshot's (it polled them as commands came;
            # only its next event and deadline lie ahead).  One later would hold the ticket
            # at an instant no command can reach: every command on it would be refused.
            # (``started <= mark <= last`` is the clock's own check.)
            if clock._last > now_us:
                raise ConfigError(
                    f"expected an instant not after the snapshot's ({now_us} µs), got "
                    f"{clock._last}",
                    join_path(at, "last"),
                )
            # Its finished pauses, replayed when a policy change recalculates it: in order,
            # from its start to its last instant, as the clock records them.
            low = clock._started
            for i, instant in enumerate(clock._history or ()):
                if not low <= instant <= clock._last:
                    raise ConfigError(
                        f"expected an instant from {low} µs (the clock's start or the pause "
                        f"before) to its last instant ({clock._last} µs), got {instant}",
                        f"{join_path(at, 'history')}[{i}]",
                    )
                low = instant
            # A snapshot writes the time a clock used by its own instant, and no other.
            then = clock._then
            if then is not None and then[0] != now_us:
                raise ConfigError(
                    f"expected the snapshot's instant ({now_us} µs) as the first value, got "
                    f"{then[0]}",
                    join_path(at, "used_at"),
                )
    elif r.policy is not None:
        raise ConfigError(f"policy {show(r.policy)} without clocks", join_path(path, "sla"))
    if _FACTS in d:
        where = join_path(path, _FACTS)
        if r.sla is not None:
            raise ConfigError("expected no facts beside the SLA (it keeps its own)", where)
        # (Older snapshots have none: a policy given later starts from creation, as before.)
        r.facts = _Facts.from_dict(d[_FACTS], now_us, where)
    history = d["history"]
    if history is not None and not isinstance(history, list):
        raise ConfigError(
            f"expected a list or null, got {show(history)}", join_path(path, "history")
        )
    if keep_history:
        where = join_path(path, "history")
        r.history = [event_from_dict(e, f"{where}[{i}]") for i, e in enumerate(history or ())]
        for i, event in enumerate(r.history):
            # A ticket's history holds its own events, each at an instant the desk had
            # reached: one of another ticket, or from after the snapshot, no desk wrote.
            tid = getattr(event, "ticket_id", ticket.id)
            if tid != ticket.id:
                raise ConfigError(
                    f"an event of ticket {show(tid)} in the history of {show(ticket.id)}",
                    f"{where}[{i}].ticket_id",
                )
            if to_us(event.at) > now_us:
                raise ConfigError(
                    f"expected an instant not after the snapshot's ({now_us} µs), got "
                    f"{event.at.isoformat()}",
                    f"{where}[{i}].at",
                )
    return r
