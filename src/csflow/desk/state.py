"""A desk's state snapshot: every ticket it knows and its agents, as plain data.

:meth:`Desk.snapshot <csflow.desk.Desk.snapshot>` writes format ``csflow.desk/3``::

    {"format": "csflow.desk/3",
     "at": "2026-03-02T09:05:00+00:00",     # the desk's last instant (UTC), or null
     "config": {"version": 1, "hash": "...", "parts": {...}},   # config_fingerprint
     "state": {
       "tickets": [...],     # each kept ticket's record and SLA clocks (TicketSla.to_dict)
       "router": {...},      # agents, queues and their shared sequence, waiting tickets
       "timers": {...},      # the live SLA, survey and close timers, in firing order
       "transfers": {...},   # hand-over counts of the kept tickets, closed ones too
       "last_agent": [...],  # [customer, agent, at_us] in order of service, as far as read
       "contacts": [...],    # recent contacts within the window (or null, see below)
       "feedback": {...},    # resolution cycles and ratings
       "goodwill": {...}}}   # allowances spent and their recent grants, per-ticket totals,
                             # pending requests, the period and zone drawn in (or null)

Instants inside ``state`` are integer microseconds since the epoch (UTC), as the clocks'
own ``to_dict`` writes them (tickets and events keep their own plain forms).  Each part is encoded by its own component (``to_state`` /
``load_state`` on :class:`~csflow.routing.Router`, :class:`~csflow.routing.AgentPool`,
:class:`~csflow.queues.TicketQueue`, the desk's timers, ledgers and memories); this module
assembles them and checks what ties them together.

What a snapshot keeps
---------------------
Every ticket the desk knows: open (queued, assigned, pending, on hold), solved (a customer can
still reopen it), closed and abandoned -- until the host forgets it (:meth:`Desk.forget
<csflow.desk.Desk.forget>`).  A closed ticket can still be named: a rating that comes back
after closing, the ``forget`` itself in a host's journal, a duplicate submit refused.  So a
restored desk is the desk that was saved, and the snapshot's size is O(tickets not forgotten +
agents + customers remembered): a host keeps the tickets bounded by forgetting what it has
archived (the simulator forgets each ticket as it closes).  The customers remembered -- each
one's last agent, and with a ``contacts`` policy its contacts within the window -- outlive
their tickets (forgetting a ticket forgets nothing of its customer): up to
``contacts.max_customers`` of them (:data:`~csflow.desk.contacts.DEFAULT_MAX_CUSTOMERS` by
default and without a ``contacts`` policy), the memory grows with every distinct customer
served (see below for when the last agents are written at all).  A kept ticket's ``history``
(when the desk keeps history) is written with it; a desk restored with ``keep_history`` off
drops it.

Derived indexes are rebuilt, not written: the SLA timer heap (armed afresh from the tickets'
clocks, whatever ``timers.sla`` lists: ties fire in order of submission), the survey heap
(armed in the order ``timers.surveys`` lists, so ties fire in the same order; each timer is
checked against its ticket, see :meth:`Timers.load_state
<csflow.desk.timers.Timers.load_state>`), the close heap the same way (``timers.closes``,
written only when a solved ticket waits to be closed; dropped under a config that closes
nothing, but for one due before the snapshot's instant), the pool's signature memberships and agent heaps,
the queues' groups and delay views, the owners' sets, the open tickets per customer.

Every ticket and agent is checked against the config's declared names, as ``submit`` and
``add_agent`` check them (:meth:`~csflow.desk.DeskConfig.check_ticket`,
:meth:`~csflow.desk.DeskConfig.check_agent`): a channel, tier, language, skill or team the
config does not declare (or, under an accepted change, no longer does) is refused at its path.
A tier's rank is not compared with the declared one: an accepted change may move it, and a
ticket keeps the tier it was submitted with.

What ties the parts together is checked: a waiting ticket waits in exactly one queue, the one
its record names, on its own channel (the phone for a call-back) and flagged a call-back
exactly when its record is one; an assigned ticket is held by its agent, on that same
channel; a pending or on-hold ticket's owner is an agent of the desk; a ticket's agent is an
id (1 to 256 characters), removed agents' included; a solved or closed ticket has a
resolution cycle in the ratings book, and a ticket that keeps its history agrees with it on
its resolutions and ratings (:meth:`FeedbackBook.load_state
<csflow.desk.feedback.FeedbackBook.load_state>`).  Under the config the
snapshot was written with, work is conserved: no agent with room is left idle beside a waiting
ticket it could take, unless a routing timer is due (what it fires may be what keeps the
ticket waiting) -- a desk routes such a ticket at once, so a state with one was tampered
with.  Under an accepted config change such a ticket is routed instead (by the desk, after the
load: :mod:`csflow.desk.durable`).  Under that config too, each ticket's history agrees with
the goodwill ledger: a request answered at most once, and awaiting an answer exactly when its
history holds none; the grants charged to an allowance within the ticket's limit (or, granted
under a larger one, within what the ledger counts on the ticket).  Whatever the config, no
goodwill grant the ledger keeps was made after the snapshot's instant.

A ticket's hand-over count is kept as long as the ticket is (a closed ticket's view still says
how many it had).  A snapshot from a csflow that dropped the count when a ticket closed
restores its closed tickets with none.

A customer's last agent is written only where something can still read it: all those the desk
remembers (at most ``contacts.max_customers``, the most recently served) when the desk
remembers contacts or a :class:`~csflow.routing.PreferredAgent` in its strategies has no
``recency``; those within the longest ``recency`` otherwise; none when nothing reads them.
They are written in order of service, which decides whom the bounded memory forgets next.
"Within the window" and "within the longest ``recency``" count back from the earliest instant
anything can still read them: the desk's instant, or the instant of a timer that is overdue (a
command came later than it, with no :meth:`~csflow.desk.Desk.advance` first; it fires at its
own instant, and an assignment it makes reads the customer's contacts and last agent as of
then).
Restored under an accepted config change that lowers ``contacts.max_customers`` (or
``max_contacts``), the memories keep the customers served (or in contact) most recently, and
each customer's newest contacts: what they would hold had the bound been the new one all along.

**The law** (``tests/test_state_snapshot.py``): a desk restored from ``snapshot()`` (through
JSON or not) has the same future -- every event, view, ``next_wakeup``, refusal and later
snapshot -- as the original desk.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any, Final

from csflow._config import mapping
from csflow._plain import encode_instant
from csflow._text import show
from csflow._time import duration_us, instant_us, utc
from csflow.desk.config import DeskConfig
from csflow.desk.contacts import ContactMemory, LastAgents
from csflow.desk.feedback import FeedbackBook
from csflow.desk.goodwill import DroppedRequest, GoodwillLedger, dropped_requests
from csflow.desk.lifecycle import FORGETTABLE
from csflow.desk.names import check_ticket_names
from csflow.desk.record import TicketRecord, record_from_state, record_to_state
from csflow.desk.serialisation import profile_from_dict, profile_to_dict
from csflow.desk.timers import Timers
from csflow.errors import ConfigError, CsflowError
from csflow.events import (
    Event,
    GoodwillDeclined,
    GoodwillGranted,
    GoodwillRequested,
    SlaDeadlineMoved,
)
from csflow.model import Channel, Ticket, TicketStatus
from csflow.routing import PreferredAgent, Router, TransferLedger
from csflow.sla import Metric, SlaTarget, TicketSla
from csflow.sla.states import LIVE_STATES

__all__ = ["STATE_FORMAT", "DeskParts", "kept_tickets", "load_state", "state_snapshot"]

#: The ``format`` of a state snapshot.
STATE_FORMAT: Final = "csflow.desk/3"

_OPEN: Final = frozenset(
    {TicketStatus.QUEUED, TicketStatus.ASSIGNED, TicketStatus.PENDING, TicketStatus.ON_HOLD}
)
_OWNED: Final = frozenset({TicketStatus.PENDING, TicketStatus.ON_HOLD})
_PARTS: Final = (
    "tickets",
    "router",
    "timers",
    "transfers",
    "last_agent",
    "contacts",
    "feedback",
    "goodwill",
)


class DeskParts:
    """The parts of one desk a state snapshot reads and a restore fills (the desk's own
    objects, not copies), and the one desk rule a config change needs (*due*)."""

    __slots__ = (
        "config",
        "contacts",
        "due",
        "feedback",
        "goodwill",
        "last_agent",
        "ledger",
        "now",
        "owned",
        "router",
        "tickets",
        "timers",
    )

    def __init__(
        self,
        config: DeskConfig,
        now: int,
        tickets: dict[str, TicketRecord],
        router: Router,
        timers: Timers,
        ledger: TransferLedger,
        last_agent: LastAgents,
        owned: dict[str, set[str]],
        contacts: ContactMemory | None,
        feedback: FeedbackBook,
        goodwill: GoodwillLedger | None,
        due: Callable[[TicketRecord], int | None],
    ) -> None:
        self.config = config
        self.now = now
        self.tickets = tickets
        self.router = router
        self.timers = timers
        self.ledger = ledger
        self.last_agent = last_agent
        self.owned = owned
        self.contacts = contacts
        self.feedback = feedback
        self.goodwill = goodwill
        self.due = due


def kept_tickets(parts: DeskParts) -> dict[str, TicketRecord]:
    """The tickets a snapshot keeps -- every one the desk knows (see the module docstring) --
    in order of submission."""
    return dict(parts.tickets)


def _affinity_horizon(config: DeskConfig, now: int) -> int | None:
    """The oldest last-agent contact (µs) anything can still read; ``None``: all of them."""
    if config.contacts is not None:
        return None
    recency: list[int] = []
    for s in config.strategies:
        if isinstance(s, PreferredAgent):
            if s.recency is None:
                return None
            recency.append(duration_us(s.recency, "recency"))
    if not recency:
        return 2**63  # nothing reads them
    return now - max(recency)


def _read_from(parts: DeskParts) -> int:
    """The earliest instant (µs) anything can still read the memories of customers at: the
    desk's instant, or an earlier one when a timer is overdue (a command came later than it,
    with no advance first: the timer fires at its own instant, and an assignment it makes
    reads the customer's contacts and last agent as of then)."""
    due = parts.timers.next_due(parts.tickets, parts.router.next_step_us())
    return parts.now if due is None else min(parts.now, due)


def state_snapshot(parts: DeskParts, fingerprint: dict[str, Any]) -> dict[str, Any]:
    """The desk's state as a ``csflow.desk/3`` snapshot (see the module docstring)."""
    now = parts.now
    known = now > -(2**61)
    kept = kept_tickets(parts)
    read_from = _read_from(parts)
    horizon = _affinity_horizon(parts.config, read_from)
    state = {
        "tickets": [record_to_state(r, now if known else None) for r in kept.values()],
        "router": parts.router.to_state(profile_to_dict, now if known else None),
        "timers": parts.timers.to_state(parts.tickets, kept),
        "transfers": parts.ledger.to_state(kept),
        "last_agent": [
            [c, a, t] for c, (a, t) in parts.last_agent.items() if horizon is None or t >= horizon
        ],
        "contacts": None if parts.contacts is None else parts.contacts.to_state(read_from),
        "feedback": parts.feedback.to_state(kept),
        "goodwill": None if parts.goodwill is None else parts.goodwill.to_state(kept),
    }
    return {
        "format": STATE_FORMAT,
        "at": encode_instant(utc(now)) if known else None,
        "config": fingerprint,
        "state": state,
    }


def load_state(
    parts: DeskParts,
    data: object,
    at: datetime | None,
    *,
    recalculate: bool = False,
    clocks: bool = True,
) -> tuple[int, list[Event]]:
    """Fill a new desk's *parts* from a snapshot's ``state`` taken at *at*.

    With *recalculate* (an accepted config change), waiting tickets are re-keyed in their
    queues, and -- with *clocks* too (the change touched the SLA policies or calendars) --
    every SLA clock of a ticket still open to it is recalculated at *at* per the config's
    ``recalculation`` mode, under the SLA policy of the same name in the new config.  Without
    *clocks* the clocks stay as they were: what fell due before *at* and was not fired yet
    fires at the desk's next advance, escalations included.  Under *recalculate* the memories
    of customers (last agents, contacts) written under larger ``contacts`` bounds keep what
    the new bounds would have kept; without it, more than the bounds is refused.

    Returns:
        The desk's instant (µs), and under *recalculate* a
        :class:`~csflow.events.SlaDeadlineMoved` for every deadline that moved, then the SLA
        events the recalculation caused, then a :class:`~csflow.events.GoodwillDeclined` for
        every pending goodwill request the change dropped (another currency, an amount
        the lowered decimals cannot hold, goodwill switched off), oldest first -- in its
        ticket's history too.

    Raises:
        ConfigError: Anything malformed or inconsistent, naming the path
            (``snapshot.state.router.pool.agents[3].held[0]: ...``) -- without *recalculate*,
            work not conserved (an agent with room idle beside a waiting ticket it could
            take, no routing timer due) included.  The parts are then half-filled: the caller
            drops the desk.
    """
    try:
        return _load(parts, data, at, recalculate, clocks)
    except ConfigError as exc:
        if exc.path and exc.path.startswith("snapshot"):
            raise
        where = "snapshot.state" if not exc.path else f"snapshot.state.{exc.path}"
        raise ConfigError(exc.detail, where) from None
    except (
        CsflowError,
        TypeError,
        ValueError,
        LookupError,
        AttributeError,
        ArithmeticError,
    ) as exc:
        raise ConfigError(f"inconsistent state: {exc}", "snapshot.state") from None


def _load(
    parts: DeskParts, data: object, at: datetime | None, recalculate: bool, clocks: bool
) -> tuple[int, list[Event]]:
    d = mapping(data, "snapshot.state")
    if set(d) != set(_PARTS):
        raise ConfigError(
            f"expected the keys {show(sorted(_PARTS))}, got {show(sorted(d))}", "snapshot.state"
        )
    now = -(2**62) if at is None else instant_us(at, "at", ConfigError)
    config = parts.config
    path = "snapshot.state"
    # -- the tickets
    raw_tickets = d["tickets"]
    if not isinstance(raw_tickets, list):
        raise ConfigError(f"expected a list, got {show(raw_tickets)}", f"{path}.tickets")
    tickets = parts.tickets
    specs: dict[tuple[Any, ...], SlaTarget] = {}  # (the few SLA targets the clocks share)
    shared: dict[tuple[Any, ...], Any] = {}  # (the tiers and customers the tickets share)
    for i, raw in enumerate(raw_tickets):
        where = f"{path}.tickets[{i}]"
        r = record_from_state(
            raw,
            config.sla_policies,
            now,
            where,
            keep_history=config.keep_history,
            specs=specs,
            shared=shared,
        )
        if r.ticket.id in tickets:
            raise ConfigError(f"ticket {show(r.ticket.id)} twice", where)
        try:
            _check_names(config, r.ticket)
        except ConfigError as exc:
            raise ConfigError(exc.detail, f"{where}.{exc.path}" if exc.path else where) from None
        if r.queue not in parts.router.queues:
            raise ConfigError(
                f"unknown queue {show(r.queue)}; queues: {show(list(parts.router.queues))}",
                f"{where}.queue",
            )
        if instant_us(r.ticket.created_at, "created_at", ConfigError) > now:
            raise ConfigError("created after the snapshot's instant", f"{where}.ticket.created_at")
        if not (recalculate and clocks) and r.sla is not None:
            _check_targets(r.sla, f"{where}.sla.clocks")
        r.order = len(tickets)  # their order of submission, which the state keeps
        tickets[r.ticket.id] = r
    # -- routing: agents, queues, waiting tickets
    router = parts.router
    router.load_state(
        d["router"],
        {t: r.ticket for t, r in tickets.items()},
        profile_from_dict,
        f"{path}.router",
        changed=recalculate,
        now=None if at is None else now,
        own_plans=False,  # a desk's tickets follow their queues' plans
    )
    pool = router.pool
    waits_in = _waiting_queues(router, d["router"], f"{path}.router")
    for i, (tid, r) in enumerate(tickets.items()):
        where = f"{path}.tickets[{i}]"
        queue = waits_in.get(tid)
        waiting = queue is not None
        if (r.state == TicketStatus.QUEUED) != waiting:
            raise ConfigError(
                f"ticket {show(tid)} is {r.state} but {'' if waiting else 'not '}waiting", where
            )
        if queue is not None:
            if queue != r.queue:
                raise ConfigError(
                    f"ticket {show(tid)} waits in queue {show(queue)}, not in {show(r.queue)}",
                    f"{where}.queue",
                )
            entry = router.queues[queue].get(tid)
            if entry.callback != r.callback or entry.signature.channel != _channel(r):
                raise ConfigError(
                    f"ticket {show(tid)} waits on channel {show(entry.signature.channel)}"
                    f"{' as a call-back' if entry.callback else ''}; its record says "
                    f"{show(_channel(r))}{' as a call-back' if r.callback else ''}",
                    where,
                )
        holder = pool.holder(tid)
        if (r.state == TicketStatus.ASSIGNED) != (holder is not None) or holder != (
            r.agent if r.state == TicketStatus.ASSIGNED else None
        ):
            raise ConfigError(
                f"ticket {show(tid)} is {r.state} with agent {show(r.agent)} but held by "
                f"{show(holder)}",
                f"{where}.agent",
            )
        if r.state in _OWNED and r.agent is not None:
            if r.agent not in pool:
                raise ConfigError(f"ticket {show(tid)} owned by unknown agent", f"{where}.agent")
            parts.owned.setdefault(r.agent, set()).add(tid)
        if r.state == TicketStatus.QUEUED and r.agent is not None:
            raise ConfigError(f"waiting ticket {show(tid)} with an agent", f"{where}.agent")
    for j, aid in enumerate(pool):
        try:  # what add_agent refuses: a name the config does not declare (or no longer does)
            config.check_agent(pool.record(aid).profile)
        except ConfigError as exc:
            where = f"{path}.router.pool.agents[{j}]"
            raise ConfigError(exc.detail, f"{where}.{exc.path}" if exc.path else where) from None
        for k, (tid, channel) in enumerate(pool.record(aid).held.items()):
            where = f"{path}.router.pool.agents[{j}].held[{k}]"
            held = tickets.get(tid)
            if held is None:
                raise ConfigError(f"agent {show(aid)} holds unknown ticket {show(tid)}", where)
            # The channel its capacity is counted on: the ticket's, a call-back's the phone.
            if channel != _channel(held):
                raise ConfigError(
                    f"ticket {show(tid)} held on channel {show(channel)}; it is a "
                    f"{show(_channel(held))} ticket{' (a call-back)' if held.callback else ''}",
                    f"{where}[1]",
                )
    # -- timers, ledgers, memories
    close_after = config.close_solved_after
    parts.timers.load_state(
        d["timers"],
        tickets,
        f"{path}.timers",
        # (A snapshot without an instant holds no ticket a command has solved.)
        close_after=None
        if close_after is None or at is None
        else duration_us(close_after, "close_solved_after"),
        now=now,
    )
    parts.ledger.load_state(d["transfers"], tickets, f"{path}.transfers")
    parts.feedback.load_state(d["feedback"], tickets, f"{path}.feedback")
    last = d["last_agent"]
    if not isinstance(last, list):
        raise ConfigError(f"expected a list, got {show(last)}", f"{path}.last_agent")
    seen: set[str] = set()  # (trimmed, the memory forgets customers a later row may repeat)
    for i, raw in enumerate(last):
        where = f"{path}.last_agent[{i}]"
        if (
            not isinstance(raw, list)
            or len(raw) != 3
            or not isinstance(raw[0], str)
            or not isinstance(raw[1], str)
            or type(raw[2]) is not int
            or raw[2] > now
        ):
            raise ConfigError(
                f"expected [customer, agent, at_us] by the snapshot's instant, got {show(raw)}",
                where,
            )
        if recalculate:
            if raw[0] in seen:
                raise ConfigError(f"customer {show(raw[0])} twice", where)
            seen.add(raw[0])
        try:
            # Under an accepted config change the memory may have been written under a larger
            # max_customers: it keeps the customers served most recently (as it would have
            # under the new bound).  Under the same config, more is a tampered snapshot.
            parts.last_agent.load(raw[0], raw[1], raw[2], trim=recalculate)
        except ConfigError as exc:
            raise ConfigError(str(exc), where) from None
    for name, part in (("contacts", parts.contacts), ("goodwill", parts.goodwill)):
        if (d[name] is None) != (part is None):
            if recalculate:
                # Switched on by an accepted config change, it starts empty; switched off,
                # its ledger goes with it (the tickets' histories keep what happened, and
                # its pending goodwill requests are declined below).
                continue
            raise ConfigError(
                f"expected {'null' if part is None else 'data'} for this config", f"{path}.{name}"
            )
    if parts.contacts is not None:
        if d["contacts"] is not None:
            parts.contacts.load_state(d["contacts"], now, f"{path}.contacts", trim=recalculate)
        for tid, r in tickets.items():
            if r.state in _OPEN:
                parts.contacts.opened(r.ticket.customer.id, tid)
    dropped: list[DroppedRequest] = []
    if d["goodwill"] is not None:
        where = f"{path}.goodwill"
        if parts.goodwill is not None:
            dropped = parts.goodwill.load_state(d["goodwill"], tickets, where, changed=recalculate)
            _check_grants_made(parts.goodwill, d["goodwill"], now, where)
        elif recalculate:
            dropped = dropped_requests(d["goodwill"], tickets, where)
    if not recalculate and at is not None:
        _check_conserved(router, d["router"], at, f"{path}.router")
    if not recalculate and parts.goodwill is not None:
        _check_goodwill_history(parts, f"{path}.tickets")
    moved: list[Event] = []
    if recalculate and at is not None:
        _recalculate(parts, at, moved, clocks)
        _decline(parts, dropped, at, moved)
    return now, moved


def _check_grants_made(ledger: GoodwillLedger, data: Any, now: int, path: str) -> None:
    """No goodwill grant the ledger keeps falls after the snapshot's instant (nor, for data
    written before the ledger kept its grants, does an allowance's period start after it): a
    desk charges a grant when it makes it.  A later one would be charged to a period the desk
    has not reached -- not seen by the grants made before it, and a desk whose own snapshots
    are refused once it grants again.

    Raises:
        ConfigError: At the grant (``charges.<allowance>[j]``) or, for data without grants, at
            the allowance's row of ``spent``.
    """
    for budget, grants in ledger.to_state(())["charges"].items():
        at_us = grants[-1][0]  # (the latest: oldest first)
        if at_us <= now:
            continue
        if "charges" in data:
            where = f"{path}.charges.{budget}[{len(grants) - 1}]"
            what = f"a grant made by the snapshot's instant ({now} µs), got {at_us}"
        else:
            i = next(i for i, row in enumerate(data["spent"]) if row[0] == budget)
            where = f"{path}.spent[{i}]"
            what = f"a period begun by the snapshot's instant, got {show(data['spent'][i][1])}"
        raise ConfigError(f"expected {what}", where)


def _check_conserved(router: Router, data: Any, at: datetime, path: str) -> None:
    """Under the config the snapshot was written with, no agent with room can take a waiting
    ticket (a desk routes it at once), unless a routing timer is due: one can only be a
    tampered skill, capacity or presence.

    Raises:
        ConfigError: At the waiting ticket's routing state, naming the agent.
    """
    found = router.unserved(at)
    if found is None:
        return
    tid, aid = found
    i = next(i for i, raw in enumerate(data["waiting"]) if raw[0] == tid)
    raise ConfigError(
        f"ticket {show(tid)} waits while agent {show(aid)} has room for it and serves its "
        "queue (a desk under this config would have routed it)",
        f"{path}.waiting[{i}]",
    )


def _check_goodwill_history(parts: DeskParts, path: str) -> None:
    """Under the config the snapshot was written with, each kept ticket's history agrees with
    the goodwill ledger, as the desk keeps them: a request is answered at most once, and
    awaits an answer exactly when its history holds none; the grants charged to an allowance
    (and every grant and approval before them, in the policy's currency) keep the ticket
    within its tier's limit per ticket, or within what the ledger counts on it (granted under
    a larger limit that an accepted config change lowered).  A history that disagrees (a
    grant or an answer written twice, an answer dropped) was not written by a desk.

    Raises:
        ConfigError: At the history entry that breaks the agreement.
    """
    ledger = parts.goodwill
    assert ledger is not None
    policy = ledger.policy
    pending = set(ledger.requests())
    for i, (tid, r) in enumerate(parts.tickets.items()):
        where = f"{path}[{i}].history"
        answered: dict[str, bool] = {}
        total = Decimal(0)
        currency = policy.currency
        for j, e in enumerate(r.history or ()):
            if isinstance(e, GoodwillRequested):
                answered[e.request_id] = False
            elif isinstance(e, GoodwillGranted | GoodwillDeclined) and e.request_id in answered:
                if answered[e.request_id] or e.request_id in pending:
                    raise ConfigError(
                        f"goodwill request {show(e.request_id)} answered "
                        + ("twice" if answered[e.request_id] else "while it still awaits one"),
                        f"{where}[{j}]",
                    )
                answered[e.request_id] = True
            if isinstance(e, GoodwillGranted):
                if e.currency != currency:
                    # (Granted before an accepted change of currency: the ledger started afresh.)
                    currency, total = e.currency, Decimal(0)
                total += e.amount
                limit = policy.ticket_limit(e.tier) if currency == policy.currency else None
                # (Over the limit yet within what the ledger counts: granted under a larger
                # limit, before an accepted config change lowered it.)
                if (
                    e.request_id is None
                    and limit is not None
                    and total > limit
                    and total > ledger.granted_on(tid)
                ):
                    raise ConfigError(
                        f"goodwill grants of {total} on ticket {show(tid)}, over the "
                        f"{show(e.tier)} limit of {limit} per ticket and over the "
                        f"{ledger.granted_on(tid)} the ledger counts",
                        f"{where}[{j}]",
                    )
        for rid, done in answered.items():
            if not done and rid not in pending:
                raise ConfigError(
                    f"goodwill request {show(rid)} neither answered nor awaiting an answer", where
                )


def _decline(
    parts: DeskParts, dropped: list[DroppedRequest], at: datetime, out: list[Event]
) -> None:
    """Tell the host that the pending goodwill requests an accepted config change dropped
    (another currency, decimals lowered, goodwill switched off) will never be answered: a
    :class:`~csflow.events.GoodwillDeclined` each, oldest first, in its ticket's history too,
    whose ``supervisor`` names the change."""
    policy = parts.config.goodwill
    for req in dropped:
        if policy is None:
            why = "goodwill switched off"
        elif req.why is not None:
            why = req.why  # "goodwill decimals changed to 0": an amount the currency cannot hold
        else:
            why = f"goodwill currency {req.currency or '?'} changed to {policy.currency}"
        event = GoodwillDeclined(
            at, req.ticket_id, req.request_id, req.agent_id, req.amount, f"config change: {why}"
        )
        out.append(event)
        history = parts.tickets[req.ticket_id].history
        if history is not None:
            history.append(event)


def _channel(r: TicketRecord) -> str:
    """The channel ticket *r* is waited on and held on: its own, or the phone for a call-back."""
    return Channel.PHONE.name if r.callback else r.ticket.channel.name


def _check_names(config: DeskConfig, ticket: Ticket) -> None:
    """Refuse a name *config* does not declare (or no longer does), as submit does.  Not a
    tier of another rank than the declared one: an accepted config change may have moved the
    rank, and the desk's tickets keep the tier they were submitted with, so a later snapshot
    of that desk holds them under the new config."""
    tiers = config.tiers
    tier = ticket.customer.tier
    if tiers.get(tier.name, tier) != tier:
        try:
            str(tier.rank)  # (what the desk's snapshot and events write back)
        except ValueError:
            raise ConfigError(
                f"tier {show(tier.name)} has rank {show(tier.rank)}, past what JSON text can "
                f"hold; the declared tier has rank {show(tiers[tier.name].rank)}",
                "ticket.customer.tier",
            ) from None
        tiers = {**tiers, tier.name: tier}
    check_ticket_names(
        ticket,
        channels=config.channels,
        tiers=tiers,
        languages=config.languages,
        skills=config.skills,
    )


def _waiting_queues(router: Router, data: Any, path: str) -> dict[str, str]:
    """The queue each waiting ticket waits in, from the router's loaded queues and the
    snapshot's *data* for them (already read by :meth:`Router.load_state`, which checks each
    queue on its own).

    Raises:
        ConfigError: A ticket waiting in two queues, at its second entry's path.
    """
    out: dict[str, str] = {}
    for name in router.queues:
        # (A queue an accepted config change added is not in the data: nothing waits in it.)
        for j, raw in enumerate(data["queues"].get(name, {"entries": []})["entries"]):
            tid = raw[0]
            first = out.setdefault(tid, name)
            if first != name:
                raise ConfigError(
                    f"ticket {show(tid)} waits in queue {show(first)} too",
                    f"{path}.queues.{name}.entries[{j}]",
                )
    return out


def _check_targets(sla: TicketSla, path: str) -> None:
    """Under the config the snapshot was taken with, a running or paused clock keeps its
    policy's target for the ticket's priority (a change of either recalculates it), and an open
    ticket has every clock its policy runs for it: anything else was not written by a desk."""
    specs = sla.policy._specs
    if sla.status in _OPEN:
        # A clock the ticket's policy runs for an open ticket, missing: no desk drops one (a
        # ticket's first response and resolution start with it, a response cycle under way
        # has its clock, a priority that gains a target starts it, a reopening starts the
        # resolution afresh), and a desk restored without it would never warn of nor breach
        # that deadline.
        facts = sla._facts
        needs = [Metric.RESOLUTION]
        if not sla.replied and (facts is None or not facts.solved_once()):
            needs.append(Metric.FIRST_RESPONSE)
        if facts is not None and facts.waiting is not None:
            needs.append(Metric.NEXT_RESPONSE)  # the customer awaits a reply since then
        if facts is not None and facts.cycle is not None:
            needs.append(Metric.PERIODIC_UPDATE)  # an update cycle runs since then
        have = sla.clocks
        for metric in needs:
            if (metric, sla.priority) in specs and metric not in have:
                raise ConfigError(
                    f"no {metric.value} clock; the policy {show(sla.policy.name)} sets a "
                    f"target for priority {sla.priority.name.lower()} and the ticket is "
                    f"{sla.status}",
                    f"{path}.{metric.value}",
                )
    for metric, c in sla.clocks.items():
        if c.state in LIVE_STATES:
            spec = specs.get((metric, sla.priority))
            mine = c._spec
            if spec is None or (spec.target_us, spec.warn_us) != (mine.target_us, mine.warn_us):
                raise ConfigError(
                    f"a target of {mine.duration} with warnings {list(mine.warnings)}; the "
                    f"policy {show(sla.policy.name)} says "
                    + ("none" if spec is None else f"{spec.duration}, {list(spec.warnings)}")
                    + f" for priority {sla.priority.name.lower()}",
                    f"{path}.{metric.value}",
                )


def _recalculate(parts: DeskParts, at: datetime, out: list[Event], clocks: bool) -> None:
    """Under an accepted config change: each live SLA follows its policy in the new config
    (when *clocks*: the policies or calendars changed), and every waiting ticket is re-keyed
    by its queue's key in the new config (its tier's rank, allowance or band may have moved)."""
    config = parts.config
    caused: list[Event] = []
    for tid, r in parts.tickets.items():
        sla = r.sla
        if clocks and sla is not None and r.policy is not None and sla.status not in FORGETTABLE:
            if sla.status != r.state and r.state in _OPEN and sla.status in _OPEN:
                # A snapshot from before moves were noted (TicketSla.note_status) may hold a
                # move the clocks did not hear of, one that changed nothing for them under
                # the old policy: told now, so that the new policy's pause_on applies to the
                # status the ticket is really in.
                caused.extend(sla.set_status(r.state, at))
            before = {m: c.due_at for m, c in sla.clocks.items()}
            caused.extend(
                sla.recalculate(at, policy=config.sla_policies[r.policy], mode=config.recalculation)
            )
            for m, c in sla.clocks.items():
                if before.get(m) != c.due_at:
                    out.append(SlaDeadlineMoved(at, tid, m.value, before.get(m), c.due_at))
            parts.timers.arm_sla(r, sla.next_deadline_us(), parts.tickets)
        if r.state == TicketStatus.QUEUED:
            parts.router.reprioritize(r.ticket, due=parts.due(r), at=at)
    out.extend(caused)
