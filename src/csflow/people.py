"""Metrics of the people at a desk: customers' satisfaction, agents' standards, goodwill.

Everything here is read from a stream of csflow events (the lists a
:class:`~csflow.desk.Desk` returned, or a simulation's), once, in order, like
:func:`csflow.metrics.summarize`:

* **satisfaction** (:class:`Satisfaction`): from :class:`~csflow.events.FeedbackRecorded`,
  the number of ratings, the share of 4s and 5s (*CSAT*) and the mean rating -- overall and by
  agent, tier, channel, queue and team;
* **agents' standards** (:class:`AgentStandard`): per agent, tickets handled (distinct
  tickets the agent resolved), first-response time (median and 90th percentile of the business time an
  :class:`~csflow.events.SlaMet` for ``first_response`` reports while the ticket is the
  agent's), handle time (mean span from an assignment until the ticket leaves the agent's
  hands), hand-overs out (transfers and escalations from the agent's hands), SLA attainment
  (clock cycles that stopped while the ticket was the agent's, each counted once, as
  :func:`csflow.metrics.summarize` counts it) and CSAT;
* **consistency** (:func:`consistency`): the agents whose measure lies outside a band around
  their team's median, for a supervisor to look at (a flag is a question, not a verdict); a
  rate's band (transfer rate, SLA rate, CSAT) has a least width and ends at 0 and 1;
* **goodwill** (:class:`GoodwillTotal`): amounts granted by agent, reason and tier, exact
  decimals in one currency, and the requests that went to a supervisor.

Theory of operation: per ticket, the reader keeps who holds it now and since when (for handle
time), who had it last (to whom a response or a clock stop is credited), who owns it while it
is parked (pending, on hold: a hand-over then counts against the owner), which agents resolved
it, and the state of its SLA cycles; it drops a ticket at :class:`~csflow.events.TicketClosed`
and :class:`~csflow.events.TicketAbandoned` (a ticket later submitted under the same id is
another ticket).

SLA attainment counts each clock cycle once, with the outcome :func:`csflow.metrics.summarize`
gives it, for the agent whose ticket it was when the cycle stopped.  A cycle of a reply metric
(first response, next response, periodic update) stops at its :class:`~csflow.sla.SlaMet`,
at the ticket's :class:`~csflow.events.TicketResolved` (which stops the reply clocks without
one), or at an :class:`~csflow.events.SlaCancelled` (its metric lost its target): it is
*breached* when an :class:`~csflow.sla.SlaBreached` came before (a breach already reported is
not withdrawn, even when a new SLA policy then lets the clock stop within its target) or the
``SlaMet`` says so, else *met*; a cycle that a resolution or a cancellation stops unbreached
counts neither way, as in ``summarize``.  A breach a cancelled clock reached is credited at the
cancellation, and a clock the metric regains in the same cycle (the same ``cycle_start``; for
the first response, one cycle per ticket, any) continues the cycle and adds nothing.  The resolution clock is one cycle per ticket: credited at
the solve that stops it (met or breached); when the clock a reopening resumed then breaches,
the met credited before is taken back and the breach goes to the agent of the next solve; a
solve after a credited outcome changes nothing else.  Cycles still running when the stream
ends, or that stop with no agent (an abandoned ticket), count for no agent, so the agents'
totals are ``summarize``'s counts less those cycles.  The median of an even count is the mean of its two
middle values (as :func:`statistics.median` and :func:`consistency` take it); the 90th
percentile is nearest-rank over each agent's first-response times.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Final

import attrs

from csflow._frozen import FrozenDict
from csflow._money import EXACT
from csflow._text import show
from csflow.desk.feedback import RATING_SCALE
from csflow.desk.goodwill import parse_amount
from csflow.errors import ConfigError
from csflow.events import (
    AgentPresenceChanged,
    AgentProfileChanged,
    DeskEvent,
    FeedbackRecorded,
    GoodwillDeclined,
    GoodwillGranted,
    GoodwillRequested,
    TicketAbandoned,
    TicketAssigned,
    TicketClosed,
    TicketEscalated,
    TicketRequeued,
    TicketResolved,
    TicketStatusChanged,
    TicketTransferred,
)
from csflow.metrics import Attainment, _continues_cycle, _keep_cycle
from csflow.model import Metric
from csflow.sla import SlaBreached, SlaCancelled, SlaMet

# What a stream of csflow events holds (every event class derives from one of these).
_EVENT_TYPES: Final = (DeskEvent, AgentPresenceChanged, AgentProfileChanged)
# One bit per reply metric in a ticket's "this cycle has breached" mask (the resolution clock
# is kept apart: one cycle per ticket, see the module notes).
_REPLY_BIT: Final = {m: 1 << i for i, m in enumerate(Metric) if m is not Metric.RESOLUTION}
# The most decimal places a goodwill policy's currency has (csflow.desk.goodwill).
_GOODWILL_PLACES: Final = 6
# The events whose ticket id the reader keys a record by.
_KEYED: Final = (
    TicketAssigned,
    TicketResolved,
    TicketTransferred,
    TicketEscalated,
    TicketRequeued,
    TicketAbandoned,
    TicketClosed,
    TicketStatusChanged,
    SlaBreached,
    SlaMet,
    SlaCancelled,
)
_CHECKED: Final = (*_KEYED, FeedbackRecorded, GoodwillGranted)

__all__ = [
    "CONSISTENCY_MEASURES",
    "AgentStandard",
    "ConsistencyFlag",
    "GoodwillTotal",
    "PeopleReport",
    "Satisfaction",
    "consistency",
    "people_report",
]


@attrs.frozen
class Satisfaction:
    """Ratings of a group of tickets.

    Attributes:
        responses: How many ratings.
        satisfied: How many were 4 or 5.
        total: The sum of the ratings.
    """

    responses: int = 0
    satisfied: int = 0
    total: int = 0

    @property
    def csat(self) -> float | None:
        """The share of ratings that were 4 or 5, or ``None`` without ratings."""
        return self.satisfied / self.responses if self.responses else None

    @property
    def mean(self) -> float | None:
        """The mean rating, or ``None`` without ratings."""
        return self.total / self.responses if self.responses else None

    def add(self, rating: int) -> Satisfaction:
        """These ratings and one more.

        Raises:
            ConfigError: *rating* is not an int from 1 to 5.
        """
        if type(rating) is not int or rating not in RATING_SCALE:
            raise ConfigError(
                f"a rating must be an int from {RATING_SCALE.start} to "
                f"{RATING_SCALE.stop - 1}, got {show(rating)}"
            )
        return Satisfaction(self.responses + 1, self.satisfied + (rating >= 4), self.total + rating)


@attrs.frozen
class GoodwillTotal:
    """Goodwill granted in a group.

    Attributes:
        grants: How many grants.
        amount: Their sum (exact).
    """

    grants: int = 0
    amount: Decimal = Decimal(0)

    def add(self, amount: Decimal) -> GoodwillTotal:
        """These grants and one more of *amount*, summed exactly (whatever the caller's
        decimal context).

        Raises:
            ConfigError: *amount* is not a grant's amount as a desk writes it (a positive
                :class:`~decimal.Decimal` below 10**15 with at most 6 decimal places).
        """
        return GoodwillTotal(self.grants + 1, EXACT.add(self.amount, _grant_amount(amount, "")))


_NO_GOODWILL: Final = GoodwillTotal()


@attrs.frozen
class AgentStandard:
    """One agent's figures over the stream (see the module docstring for each definition).

    Attributes:
        agent_id: The agent.
        assignments: Tickets assigned to the agent (a ticket assigned twice counts twice).
        handled: Distinct tickets the agent resolved (a ticket reopened and resolved again by
            the agent counts once; one submitted again under its id after it was closed or
            abandoned is another ticket).
        first_response_median_s: Median first-response time, business seconds, or ``None``.
        first_response_p90_s: 90th percentile of the same, or ``None``.
        handle_time_s: Mean span a ticket stayed in the agent's hands, or ``None``.
        transfers_out: Hand-overs (transfers, escalations) out of the agent's hands.
        sla: SLA clock cycles that stopped while the ticket was the agent's, each counted once
            as met or breached, as :func:`csflow.metrics.summarize` counts it (see the module
            notes).
        satisfaction: Ratings of tickets the agent resolved.
    """

    agent_id: str
    assignments: int
    handled: int
    first_response_median_s: float | None
    first_response_p90_s: float | None
    handle_time_s: float | None
    transfers_out: int
    sla: Attainment
    satisfaction: Satisfaction

    @property
    def transfer_rate(self) -> float | None:
        """Hand-overs out per assignment, or ``None`` without assignments."""
        return self.transfers_out / self.assignments if self.assignments else None

    def measure(self, name: str) -> float | None:
        """The value of one of :data:`CONSISTENCY_MEASURES` (``None`` when the stream does
        not tell it, such as a CSAT without ratings).

        Raises:
            ConfigError: *name* is not one of :data:`CONSISTENCY_MEASURES`.
        """
        if not isinstance(name, str) or name not in CONSISTENCY_MEASURES:
            raise ConfigError(f"unknown measure {show(name)}; known: {show(CONSISTENCY_MEASURES)}")
        if name == "sla_rate":
            return self.sla.rate
        if name == "csat":
            return self.satisfaction.csat
        if name == "transfer_rate":
            return self.transfer_rate
        value: float | None = getattr(self, name)
        return value


CONSISTENCY_MEASURES: Final = (
    "first_response_median_s",
    "handle_time_s",
    "transfer_rate",
    "sla_rate",
    "csat",
)
"""What :func:`consistency` compares, by default all of them."""

# The measures that are shares from 0 to 1: consistency cuts their band to 0 .. 1 and gives it
# a least half-width (min_rate_width).
_RATE_MEASURES: Final = ("transfer_rate", "sla_rate", "csat")


@attrs.frozen
class PeopleReport:
    """Satisfaction, agents' standards and goodwill over a stream (see :func:`people_report`).

    Attributes:
        satisfaction: All ratings.
        by_agent, by_tier, by_channel, by_queue, by_team: Ratings by group (tickets without
            an agent or team are left out of those groups).
        agents: Each agent's standards, by agent id (sorted).
        goodwill_by_agent, goodwill_by_reason, goodwill_by_tier: Goodwill granted (within
            an allowance or approved by a supervisor), by group, in :attr:`goodwill_currency`.
        goodwill_requests: Grants that went to a supervisor.
        goodwill_declined: Requests a supervisor declined.
        goodwill_currency: The currency of every goodwill total (the grants' ISO 4217 code),
            or ``None`` without grants.
    """

    satisfaction: Satisfaction
    by_agent: Mapping[str, Satisfaction]
    by_tier: Mapping[str, Satisfaction]
    by_channel: Mapping[str, Satisfaction]
    by_queue: Mapping[str, Satisfaction]
    by_team: Mapping[str, Satisfaction]
    agents: Mapping[str, AgentStandard]
    goodwill_by_agent: Mapping[str, GoodwillTotal]
    goodwill_by_reason: Mapping[str, GoodwillTotal]
    goodwill_by_tier: Mapping[str, GoodwillTotal]
    goodwill_requests: int
    goodwill_declined: int
    goodwill_currency: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-compatible data (``json.dumps`` takes it as it is).

        Returns:
            A dict of the report's fields under their names: a :class:`Satisfaction` as
            ``{"responses", "satisfied", "total", "csat", "mean"}``; each
            :class:`AgentStandard` as a dict of its fields, its ``transfer_rate`` and its
            ``sla`` as ``{"met", "breached", "rate"}``; a :class:`GoodwillTotal` as
            ``{"grants", "amount"}`` with the exact amount as a decimal string in plain
            notation (``"12.50"``, never an exponent: ``Decimal(d["amount"])`` equals the
            total, and a desk's amounts, kept to their currency's places, come back digit
            for digit); groups as dicts keyed by name, sorted.

        Examples:
            >>> import json
            >>> from datetime import datetime, timezone
            >>> from csflow.events import FeedbackRecorded
            >>> t = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
            >>> d = people_report([
            ...     FeedbackRecorded(t, "T1", 5, "", 1, "sari", "gold", "chat", "general", None),
            ... ]).to_dict()
            >>> d["by_agent"]["sari"]
            {'responses': 1, 'satisfied': 1, 'total': 5, 'csat': 1.0, 'mean': 5.0}
            >>> json.loads(json.dumps(d)) == d
            True
        """

        def sat(v: Satisfaction) -> dict[str, Any]:
            return {
                "responses": v.responses,
                "satisfied": v.satisfied,
                "total": v.total,
                "csat": v.csat,
                "mean": v.mean,
            }

        def good(v: GoodwillTotal) -> dict[str, Any]:
            return {"grants": v.grants, "amount": format(v.amount, "f")}

        def agent(a: AgentStandard) -> dict[str, Any]:
            return {
                "agent_id": a.agent_id,
                "assignments": a.assignments,
                "handled": a.handled,
                "first_response_median_s": a.first_response_median_s,
                "first_response_p90_s": a.first_response_p90_s,
                "handle_time_s": a.handle_time_s,
                "transfers_out": a.transfers_out,
                "transfer_rate": a.transfer_rate,
                "sla": {"met": a.sla.met, "breached": a.sla.breached, "rate": a.sla.rate},
                "satisfaction": sat(a.satisfaction),
            }

        return {
            "satisfaction": sat(self.satisfaction),
            **{
                name: {k: sat(v) for k, v in sorted(getattr(self, name).items())}
                for name in ("by_agent", "by_tier", "by_channel", "by_queue", "by_team")
            },
            "agents": {k: agent(v) for k, v in sorted(self.agents.items())},
            **{
                name: {k: good(v) for k, v in sorted(getattr(self, name).items())}
                for name in ("goodwill_by_agent", "goodwill_by_reason", "goodwill_by_tier")
            },
            "goodwill_requests": self.goodwill_requests,
            "goodwill_declined": self.goodwill_declined,
            "goodwill_currency": self.goodwill_currency,
        }

    def table(self) -> list[str]:
        """The agents' standards as lines of text (one row per agent).

        The agent column is as wide as the longest agent id (at least 10), so the figures
        stay in their columns.  Times are in seconds (``180s``); SLA and CSAT are whole
        percentages, never rounded to ``100%`` or ``0%`` unless every cycle met (every rating
        was a 4 or 5) or none did (``>99%``, ``<1%``), and ``-`` when there is nothing to
        rate (no SLA cycle stopped, no rating).
        """
        width = max([10, *(len(aid) for aid in self.agents)])
        head = (
            f"{'agent':<{width}} {'handled':>7} {'FRT p50':>8} {'FRT p90':>8} {'handle':>7} "
            f"{'xfer':>5} {'SLA':>6} {'CSAT':>6} {'n':>4}"
        )
        out = [head, "-" * len(head)]
        for a in self.agents.values():
            out.append(
                f"{a.agent_id:<{width}} {a.handled:>7} {_s(a.first_response_median_s):>8} "
                f"{_s(a.first_response_p90_s):>8} {_s(a.handle_time_s):>7} "
                f"{a.transfers_out:>5} {_pct(a.sla.rate):>6} {_pct(a.satisfaction.csat):>6} "
                f"{a.satisfaction.responses:>4}"
            )
        return out


def _s(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}s"


def _pct(value: float | None) -> str:
    if value is None:
        return "-"
    # A share short of all (or above none) is not shown as all (or none): one breach in 250
    # cycles reads ">99%", not "100%".
    if 0.99 < value < 1:
        return ">99%"
    if 0 < value < 0.01:
        return "<1%"
    return f"{value:.0%}"


def _nearest_rank(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


class _Agent:
    __slots__ = ("assignments", "frt", "handled", "held_n", "held_s", "met", "missed", "xfer")

    def __init__(self) -> None:
        self.assignments = 0
        self.handled = 0
        self.frt: list[float] = []
        self.held_s = 0.0
        self.held_n = 0
        self.xfer = 0
        self.met = 0
        self.missed = 0


class _Ticket:
    """What :func:`people_report` remembers of one ticket until it is closed or abandoned."""

    __slots__ = ("breached", "credit", "kept", "last", "resolution", "resolvers")

    def __init__(self) -> None:
        self.last: str | None = None  # the agent who had it last
        self.resolvers: set[str] | None = None  # agents who resolved it (counted as handled)
        self.breached = 0  # reply-metric bits whose running cycle has breached
        # Per reply-metric bit, the cycle (its start, µs; any, for a first response's event that
        # names none) whose breach was credited at an SlaCancelled: a clock the metric regains
        # in that cycle adds nothing until the cycle stops.
        self.kept: dict[int, object] | None = None
        # The resolution cycle: None undecided, 0 met, 1 breached (once breached, always).
        self.resolution: int | None = None
        # The agent credited with the resolution outcome, or None (not yet, or no agent).
        self.credit: str | None = None


def _handed_back(tickets: dict[str, _Ticket], tid: str) -> None:
    """*tid* went back in line (a transfer, an escalation, its holder removed): until an agent
    is assigned it, it is nobody's, and a clock that stops meanwhile counts for no agent."""
    tk = tickets.get(tid)
    if tk is not None:
        tk.last = None


def people_report(events: Iterable[object]) -> PeopleReport:
    """Satisfaction, agents' standards and goodwill from a stream of events, in order.

    Args:
        events: Any iterable of csflow events; events of other kinds are skipped.

    Returns:
        A :class:`PeopleReport`.

    Raises:
        ConfigError: *events* is not an iterable, or an item is not a csflow event or has a
            naive ``at`` (the error's ``path`` is ``events[i]``); a
            :class:`~csflow.events.GoodwillGranted` whose amount is not a desk's (a positive
            :class:`~decimal.Decimal` below 10**15 with at most 6 decimal places, written in
            at most 64 characters: ``events[i].amount``) or whose currency differs from the stream's first grant's
            (``events[i].currency``: totals never add two currencies; report each currency's
            events apart); an event with a field of the wrong type (one built by hand), at
            ``events[i].<field>``: an unhashable ticket id, an agent id, tier, channel, queue,
            team or reason that is not a str (``None`` where the event allows it), an SLA
            event's ``metric`` that is not a :class:`~csflow.model.Metric`, an ``SlaMet``'s
            ``elapsed`` that is not a timedelta, a rating that is not an int from 1 to 5.

    Examples:
        >>> from datetime import datetime, timezone
        >>> from csflow.events import FeedbackRecorded
        >>> t = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
        >>> r = people_report([
        ...     FeedbackRecorded(t, "T1", 5, "", 1, "sari", "gold", "whatsapp", "general", None),
        ...     FeedbackRecorded(t, "T2", 2, "late", 1, "sari", "gold", "email", "general", None),
        ... ])
        >>> r.by_agent["sari"].csat, r.by_channel["email"].mean
        (0.5, 2.0)
    """
    given: object = events
    if isinstance(given, (str, bytes)) or not isinstance(given, Iterable):
        raise ConfigError(f"'events' must be an iterable of csflow events, got {show(given)}")
    overall = Satisfaction()
    groups: dict[str, dict[str, Satisfaction]] = {
        k: {} for k in ("agent", "tier", "channel", "queue", "team")
    }
    agents: dict[str, _Agent] = {}
    holder: dict[str, tuple[str, float]] = {}  # ticket -> (agent, since, POSIX seconds)
    tickets: dict[str, _Ticket] = {}
    owner: dict[str, str] = {}  # ticket -> the agent who owns it, parked (pending, on hold)
    gw: dict[str, dict[str, GoodwillTotal]] = {k: {} for k in ("agent", "reason", "tier")}
    currency: str | None = None
    requests = declined = 0

    def agent(a: str) -> _Agent:
        rec = agents.get(a)
        if rec is None:
            rec = agents[a] = _Agent()
        return rec

    def ticket(tid: str) -> _Ticket:
        rec = tickets.get(tid)
        if rec is None:
            rec = tickets[tid] = _Ticket()
        return rec

    def release(tid: str, at: float) -> str | None:
        held = holder.pop(tid, None)
        if held is None:
            return None
        rec = agent(held[0])
        rec.held_s += max(0.0, at - held[1])
        rec.held_n += 1
        return held[0]

    for i, e in enumerate(events):
        if not isinstance(e, _EVENT_TYPES):
            raise ConfigError(f"expected a csflow event, got {show(e)}", f"events[{i}]")
        when = getattr(e, "at", None)
        if not isinstance(when, datetime) or when.utcoffset() is None:
            raise ConfigError(
                f"an event's 'at' must be an aware datetime, got {show(when)}", f"events[{i}]"
            )
        if isinstance(e, _CHECKED):
            _check_fields(e, f"events[{i}]")
        if isinstance(e, TicketAssigned):
            owner.pop(e.ticket_id, None)
            release(e.ticket_id, e.at.timestamp())
            holder[e.ticket_id] = (e.agent_id, e.at.timestamp())
            ticket(e.ticket_id).last = e.agent_id
            agent(e.agent_id).assignments += 1
        elif isinstance(e, TicketResolved):
            owner.pop(e.ticket_id, None)
            release(e.ticket_id, e.at.timestamp())
            tk = ticket(e.ticket_id)
            tk.last = e.agent_id
            rec = agent(e.agent_id)
            if tk.resolvers is None:
                tk.resolvers = {e.agent_id}
                rec.handled += 1
            elif e.agent_id not in tk.resolvers:
                tk.resolvers.add(e.agent_id)
                rec.handled += 1
            if tk.breached:
                # The resolution stops the reply clocks (no SlaMet): each breached cycle ends
                # here, in the resolving agent's hands.
                rec.missed += tk.breached.bit_count()
                tk.breached = 0
            tk.kept = None  # (so do those credited at a cancellation)
        elif isinstance(e, TicketTransferred | TicketEscalated):
            # Out of the hands of its holder, or of the agent who owns it parked (SLA events
            # or a limit flag between its parking and the hand-over change neither).
            parked = owner.pop(e.ticket_id, None)
            who = release(e.ticket_id, e.at.timestamp()) or parked
            if who is None and isinstance(e, TicketTransferred):
                who = e.from_agent
            if who is not None:
                agent(who).xfer += 1
            _handed_back(tickets, e.ticket_id)
        elif isinstance(e, TicketRequeued):
            owner.pop(e.ticket_id, None)
            release(e.ticket_id, e.at.timestamp())
            _handed_back(tickets, e.ticket_id)
        elif isinstance(e, TicketAbandoned | TicketClosed):
            # Done for good: its id may come back as another ticket.  Cycles still running
            # stop with no agent, and count for none.
            owner.pop(e.ticket_id, None)
            release(e.ticket_id, e.at.timestamp())
            tickets.pop(e.ticket_id, None)
        elif isinstance(e, TicketStatusChanged):
            if e.new in ("pending", "on_hold"):
                who = release(e.ticket_id, e.at.timestamp())
                if who is not None:
                    owner[e.ticket_id] = who
            else:
                owner.pop(e.ticket_id, None)
        elif isinstance(e, SlaBreached):
            tk = ticket(e.ticket_id)
            if e.metric is Metric.RESOLUTION:
                if tk.resolution == 0 and tk.credit is not None:
                    # The clock a reopening resumed breached: the met credited is taken back.
                    agent(tk.credit).met -= 1
                if tk.resolution != 1:
                    tk.resolution, tk.credit = 1, None  # credited when the clock next stops
            else:
                bit = _REPLY_BIT[e.metric]
                if not _continues_cycle(tk, bit, e.cycle_start):
                    tk.breached |= bit
        elif isinstance(e, SlaMet):
            tk = ticket(e.ticket_id)
            who = tk.last
            if e.metric is Metric.RESOLUTION:
                index = 1 if e.breached or tk.resolution == 1 else 0
                if tk.credit is None:  # not credited yet (or to no agent)
                    tk.resolution = index
                    if who is not None:
                        tk.credit = who
                        if index:
                            agent(who).missed += 1
                        else:
                            agent(who).met += 1
                elif tk.resolution == 0 and index == 1:  # met before, late now
                    agent(tk.credit).met -= 1
                    tk.resolution, tk.credit = 1, who
                    if who is not None:
                        agent(who).missed += 1
            elif _continues_cycle(tk, bit := _REPLY_BIT[e.metric], e.cycle_start):
                assert tk.kept is not None
                del tk.kept[bit]  # the cycle stops: its breach was credited at the cancellation
                if who is not None and e.metric is Metric.FIRST_RESPONSE:
                    agent(who).frt.append(e.elapsed.total_seconds())  # the reply still came
            else:
                late = e.breached or bool(tk.breached & bit)
                tk.breached &= ~bit
                if who is not None:
                    rec = agent(who)
                    if late:
                        rec.missed += 1
                    else:
                        rec.met += 1
                    if e.metric is Metric.FIRST_RESPONSE:
                        rec.frt.append(e.elapsed.total_seconds())
        elif isinstance(e, SlaCancelled):
            # A reply metric's clock ended undecided (its metric lost its target): a breach it
            # reached is the agent's whose ticket it was, as at a resolution; a clock the
            # metric regains in the same cycle continues it and counts no more, a later
            # cycle counts on its own.
            tk = ticket(e.ticket_id)
            bit = 0 if e.metric is Metric.RESOLUTION else _REPLY_BIT[e.metric]
            if tk.breached & bit:
                tk.breached &= ~bit
                _keep_cycle(tk, bit, e.cycle_start)
                if tk.last is not None:
                    agent(tk.last).missed += 1
        elif isinstance(e, FeedbackRecorded):
            overall = overall.add(e.rating)
            keys = {
                "agent": e.agent_id,
                "tier": e.tier,
                "channel": e.channel,
                "queue": e.queue,
                "team": e.team,
            }
            for kind, key in keys.items():
                if key is not None:
                    g = groups[kind]
                    g[key] = g.get(key, Satisfaction()).add(e.rating)
        elif isinstance(e, GoodwillGranted):
            amount = _grant_amount(e.amount, f"events[{i}].amount")
            if currency is None:
                if not isinstance(e.currency, str):
                    raise ConfigError(
                        f"a currency must be an ISO 4217 code, got {show(e.currency)}",
                        f"events[{i}].currency",
                    )
                currency = e.currency
            elif e.currency != currency:
                raise ConfigError(
                    f"goodwill in {show(e.currency)} cannot be added to the totals in "
                    f"{show(currency)}; report each currency's events apart",
                    f"events[{i}].currency",
                )
            for kind, key in (("agent", e.agent_id), ("reason", e.reason), ("tier", e.tier)):
                # (The amount is checked above: summed without checking it again.)
                total = gw[kind].get(key, _NO_GOODWILL)
                gw[kind][key] = GoodwillTotal(total.grants + 1, EXACT.add(total.amount, amount))
        elif isinstance(e, GoodwillRequested):
            requests += 1
        elif isinstance(e, GoodwillDeclined):
            declined += 1
        elif isinstance(e, AgentPresenceChanged) and e.new == "removed" and owner:
            # The desk takes a leaving agent's parked tickets from it without an event of
            # theirs: a later hand-over of one is no longer out of its hands.
            for tid in [t for t, a in owner.items() if a == e.agent_id]:
                del owner[tid]
    standards = {
        a: AgentStandard(
            a,
            rec.assignments,
            rec.handled,
            statistics.median(rec.frt) if rec.frt else None,
            _nearest_rank(rec.frt, 0.9),
            rec.held_s / rec.held_n if rec.held_n else None,
            rec.xfer,
            Attainment(rec.met, rec.missed),
            groups["agent"].get(a, Satisfaction()),
        )
        for a, rec in sorted(agents.items())
    }
    for a, sat in groups["agent"].items():
        if a not in standards:
            standards[a] = AgentStandard(a, 0, 0, None, None, None, 0, Attainment(), sat)
    by = {k: FrozenDict({n: g[n] for n in sorted(g)}) for k, g in groups.items()}
    good = {k: FrozenDict({n: g[n] for n in sorted(g)}) for k, g in gw.items()}
    return PeopleReport(
        overall,
        by["agent"],
        by["tier"],
        by["channel"],
        by["queue"],
        by["team"],
        FrozenDict({a: standards[a] for a in sorted(standards)}),
        good["agent"],
        good["reason"],
        good["tier"],
        requests,
        declined,
        currency,
    )


def _check_fields(e: DeskEvent, path: str) -> None:
    """Refuse a field of the wrong type (an event built by hand) that would crash the reader
    or make a report key that is not a name: a :class:`ConfigError` at ``path.field``."""
    names: tuple[tuple[str, bool], ...] = ()  # (field, may be None)
    if isinstance(e, _KEYED):
        try:
            hash(e.ticket_id)
        except TypeError:
            raise ConfigError(
                f"a ticket id must be a str, got {show(e.ticket_id)}", f"{path}.ticket_id"
            ) from None
    if isinstance(e, TicketAssigned | TicketResolved):
        names = (("agent_id", False),)
    elif isinstance(e, TicketTransferred):
        names = (("from_agent", True),)
    elif isinstance(e, SlaBreached | SlaMet | SlaCancelled):
        if not isinstance(e.metric, Metric):
            raise ConfigError(
                f"an SLA event's metric must be a Metric (Metric.FIRST_RESPONSE ...), got "
                f"{show(e.metric)}",
                f"{path}.metric",
            )
        if isinstance(e, SlaMet) and not isinstance(e.elapsed, timedelta):
            raise ConfigError(
                f"an elapsed time must be a timedelta, got {show(e.elapsed)}", f"{path}.elapsed"
            )
    elif isinstance(e, FeedbackRecorded):
        if type(e.rating) is not int or e.rating not in RATING_SCALE:
            raise ConfigError(
                f"a rating must be an int from {RATING_SCALE.start} to "
                f"{RATING_SCALE.stop - 1}, got {show(e.rating)}",
                f"{path}.rating",
            )
        names = (
            ("agent_id", True),
            ("tier", False),
            ("channel", False),
            ("queue", False),
            ("team", True),
        )
    elif isinstance(e, GoodwillGranted):
        names = (("agent_id", False), ("reason", False), ("tier", False))
    for field, optional in names:
        value = getattr(e, field)
        if not isinstance(value, str) and not (optional and value is None):
            allowed = "a name (str) or None" if optional else "a name (str)"
            raise ConfigError(f"expected {allowed}, got {show(value)}", f"{path}.{field}")


def _grant_amount(amount: object, path: str) -> Decimal:
    """A grant's amount as a desk writes it (a positive Decimal below 10**15, at most six
    places), unchanged; else a :class:`ConfigError` at *path*."""
    if not isinstance(amount, Decimal):
        raise ConfigError(f"a goodwill amount must be a Decimal, got {show(amount)}", path)
    try:
        parse_amount(amount, _GOODWILL_PLACES, "a goodwill amount")
    except ConfigError as exc:
        raise ConfigError(exc.detail, path) from None
    return amount


@attrs.frozen
class ConsistencyFlag:
    """An agent whose measure lies outside the band around its team's median.

    Attributes:
        agent_id: The agent.
        team: The team it was compared with.
        measure: One of :data:`CONSISTENCY_MEASURES`.
        value: The agent's value.
        median: The team's median.
        low: The band's lower edge.
        high: The band's upper edge.
    """

    agent_id: str
    team: str
    measure: str
    value: float
    median: float
    low: float
    high: float

    def __str__(self) -> str:
        side = "above" if self.value > self.high else "below"
        return (
            f"{self.agent_id} ({self.team}): {self.measure} {self.value:.4g} is {side} the "
            f"band {self.low:.4g}..{self.high:.4g} around the team median {self.median:.4g}"
        )


def consistency(
    report: PeopleReport,
    *,
    teams: Mapping[str, str] | None = None,
    band: float = 0.25,
    measures: Iterable[str] = CONSISTENCY_MEASURES,
    min_handled: int = 1,
    min_rate_width: float = 0.05,
) -> tuple[ConsistencyFlag, ...]:
    """The agents outside ``median * (1 - band) .. median * (1 + band)`` of their team.

    A rate (``transfer_rate``, ``sla_rate``, ``csat``) is a share
    from 0 to 1, so its band is ``median - w .. median + w`` with the half-width ``w`` the
    larger of ``median * band`` and *min_rate_width*, cut to ``0 .. 1``: a team whose median
    transfer rate is 0 flags an agent above ``0.05`` (by default), not every agent with a
    single transfer, and a team median of 100 % gives a band that ends at 1.

    Args:
        report: A :func:`people_report`.
        teams: Each agent's team (agents not named form the team ``"desk"``).
        band: The band's half-width, as a fraction of the median (``0.25``: within 25 %).
        measures: Which measures to compare.
        min_handled: Agents who handled fewer tickets are not compared (too few to judge).
        min_rate_width: The least half-width of a rate's band, in points of the rate
            (``0.05``: five percentage points either side of the median; ``0`` gives the
            plain ``median * band``).

    Returns:
        The flags, by team, measure and agent.

    Raises:
        ConfigError: *report* is not a :class:`PeopleReport`, *teams* not a mapping of
            strings to strings (the ``path`` names the agent: ``teams['sari']``), a
            negative or non-finite band, *measures* a string or naming an unknown measure,
            *min_handled* not an int >= 0, or *min_rate_width* not a number from 0 to 1.

    Examples:
        Three agents never transferred a ticket, one transferred 1 of 10, one 1 of 40: the
        team median is 0, and only the first is outside the band ``0 .. 0.05``.

        >>> from csflow.metrics import Attainment
        >>> def agent(aid: str, assignments: int, transfers: int) -> AgentStandard:
        ...     return AgentStandard(
        ...         aid, assignments, assignments, None, None, None, transfers,
        ...         Attainment(), Satisfaction(),
        ...     )
        >>> team = [agent("ana", 10, 0), agent("budi", 10, 0), agent("dewi", 10, 0),
        ...         agent("eka", 10, 1), agent("rina", 40, 1)]
        >>> report = people_report([])
        >>> report = attrs.evolve(report, agents={a.agent_id: a for a in team})
        >>> [str(f) for f in consistency(report, measures=["transfer_rate"])]
        ['eka (desk): transfer_rate 0.1 is above the band 0..0.05 around the team median 0']
    """
    if isinstance(band, bool) or not isinstance(band, int | float) or not 0 <= band < math.inf:
        raise ConfigError(f"band must be a fraction >= 0, got {show(band)}")
    if (
        isinstance(min_rate_width, bool)
        or not isinstance(min_rate_width, int | float)
        or not 0 <= min_rate_width <= 1
    ):
        raise ConfigError(
            f"min_rate_width must be a share of a rate from 0 to 1, got {show(min_rate_width)}"
        )
    if not isinstance(report, PeopleReport):
        raise ConfigError(f"report must be a PeopleReport, got {show(report)}")
    if teams is not None and not isinstance(teams, Mapping):
        raise ConfigError(f"teams must be a mapping of agent to team, got {show(teams)}")
    for aid, team in (teams or {}).items():
        if not isinstance(aid, str) or not isinstance(team, str):
            raise ConfigError(
                f"teams must map agent ids to team names (strings), got {show(aid)}: {show(team)}",
                f"teams[{show(aid)}]",
            )
    if isinstance(min_handled, bool) or not isinstance(min_handled, int) or min_handled < 0:
        raise ConfigError(f"min_handled must be an int >= 0, got {show(min_handled)}")
    if isinstance(measures, str):
        raise ConfigError(
            f"measures must be a collection of measure names, got the string {show(measures)}; "
            f"known: {show(CONSISTENCY_MEASURES)}"
        )
    if not isinstance(measures, Iterable):
        raise ConfigError(
            f"measures must be a collection of measure names, got {show(measures)}; "
            f"known: {show(CONSISTENCY_MEASURES)}"
        )
    names = tuple(measures)
    for m in names:
        if not isinstance(m, str) or m not in CONSISTENCY_MEASURES:
            raise ConfigError(f"unknown measure {show(m)}; known: {show(CONSISTENCY_MEASURES)}")
    team_of = teams or {}
    members: dict[str, list[AgentStandard]] = {}
    for a in report.agents.values():
        if a.handled >= min_handled:
            members.setdefault(team_of.get(a.agent_id, "desk"), []).append(a)
    flags: list[ConsistencyFlag] = []
    for team in sorted(members):
        for m in names:
            values = [(a.agent_id, a.measure(m)) for a in members[team]]
            known = sorted(v for _, v in values if v is not None)
            if len(known) < 2:
                continue
            mid = len(known) // 2
            median = known[mid] if len(known) % 2 else (known[mid - 1] + known[mid]) / 2
            if m in _RATE_MEASURES:
                half = max(median * band, min_rate_width)
                low, high = max(0.0, median - half), min(1.0, median + half)
            else:
                low, high = median * (1 - band), median * (1 + band)
            for aid, v in values:
                if v is not None and not low <= v <= high:
                    flags.append(ConsistencyFlag(aid, team, m, v, median, low, high))
    return tuple(flags)
