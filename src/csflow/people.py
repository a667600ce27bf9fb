"""Metrics of the people at a desk: customers' satisfaction, agents' standards, goodwill.

Everything here is read from a stream of csflow events (the lists a
:class:`~csflow.desk.Desk` returned, or a simulation's), once, in order, like
:func:`csflow.metrics.summarize`:

* **satisfaction** (:class:`Satisfaction`): from :class:`~csflow.events.FeedbackRecorded`,
  the number of ratings, the share of 4s and 5s (*CSAT*) and the mean rating -- overall and by
  agent, tier, channel, queue and team;
* **agents' standards** (:class:`AgentStandard`): per agent, tickets handled (resolved),
  first-response time (median and 90th percentile of the business time an
  :class:`~csflow.events.SlaMet` for ``first_response`` reports while the ticket is the
  agent's), handle time (mean span from an assignment until the ticket leaves the agent's
  hands), hand-overs out (transfers and escalations from the agent's hands), SLA attainment
  (clock cycles that stopped while the ticket was the agent's) and CSAT;
* **consistency** (:func:`consistency`): the agents whose measure lies outside a band around
  their team's median, for a supervisor to look at (a flag is a question, not a verdict);
* **goodwill** (:class:`GoodwillTotal`): amounts granted by agent, reason and tier, exact
  decimals, and the requests that went to a supervisor.

Theory of operation: per ticket, the reader keeps who holds it now and since when (for handle
time) and who had it last (to whom a response or a clock stop is credited); it drops a ticket
at :class:`~csflow.events.TicketClosed`.  The median of an even count is the mean of its two
middle values (as :func:`statistics.median` and :func:`consistency` take it); the 90th
percentile is nearest-rank over each agent's first-response times.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Final

import attrs

from csflow._frozen import FrozenDict
from csflow._text import show
from csflow.errors import ConfigError
from csflow.events import (
    AgentPresenceChanged,
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
from csflow.metrics import Attainment
from csflow.model import Metric
from csflow.sla import SlaMet

# What a stream of csflow events holds (every event class derives from one of these).
_EVENT_TYPES: Final = (DeskEvent, AgentPresenceChanged)

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
        """These ratings and one more."""
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


@attrs.frozen
class AgentStandard:
    """One agent's figures over the stream (see the module docstring for each definition).

    Attributes:
        agent_id: The agent.
        assignments: Tickets assigned to the agent (a ticket assigned twice counts twice).
        handled: Tickets the agent resolved.
        first_response_median_s: Median first-response time, business seconds, or ``None``.
        first_response_p90_s: 90th percentile of the same, or ``None``.
        handle_time_s: Mean span a ticket stayed in the agent's hands, or ``None``.
        transfers_out: Hand-overs (transfers, escalations) out of the agent's hands.
        sla: SLA clock cycles that stopped while the ticket was the agent's.
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
        """The value of one of :data:`CONSISTENCY_MEASURES` (``None`` when unknown)."""
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


@attrs.frozen
class PeopleReport:
    """Satisfaction, agents' standards and goodwill over a stream (see :func:`people_report`).

    Attributes:
        satisfaction: All ratings.
        by_agent, by_tier, by_channel, by_queue, by_team: Ratings by group (tickets without
            an agent or team are left out of those groups).
        agents: Each agent's standards, by agent id (sorted).
        goodwill_by_agent, goodwill_by_reason, goodwill_by_tier: Goodwill granted (within
            an allowance or approved by a supervisor), by group.
        goodwill_requests: Grants that went to a supervisor.
        goodwill_declined: Requests a supervisor declined.
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

    def table(self) -> list[str]:
        """The agents' standards as lines of text (one row per agent)."""
        head = (
            f"{'agent':<10} {'handled':>7} {'FRT p50':>8} {'FRT p90':>8} {'handle':>7} "
            f"{'xfer':>5} {'SLA':>6} {'CSAT':>6} {'n':>4}"
        )
        out = [head, "-" * len(head)]
        for a in self.agents.values():
            out.append(
                f"{a.agent_id:<10} {a.handled:>7} {_s(a.first_response_median_s):>8} "
                f"{_s(a.first_response_p90_s):>8} {_s(a.handle_time_s):>7} "
                f"{a.transfers_out:>5} {_pct(a.sla.rate):>6} {_pct(a.satisfaction.csat):>6} "
                f"{a.satisfaction.responses:>4}"
            )
        return out


def _s(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}s"


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


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


def people_report(events: Iterable[object]) -> PeopleReport:
    """Satisfaction, agents' standards and goodwill from a stream of events, in order.

    Args:
        events: Any iterable of csflow events; events of other kinds are skipped.

    Returns:
        A :class:`PeopleReport`.

    Raises:
        ConfigError: *events* is not an iterable, or an item is not a csflow event or has a
            naive ``at`` (the error's ``path`` is ``events[i]``).

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
    last: dict[str, str] = {}  # ticket -> the agent who had it last
    owner: dict[str, str] = {}  # ticket -> the agent who owns it, parked (pending, on hold)
    gw: dict[str, dict[str, GoodwillTotal]] = {k: {} for k in ("agent", "reason", "tier")}
    requests = declined = 0

    def agent(a: str) -> _Agent:
        rec = agents.get(a)
        if rec is None:
            rec = agents[a] = _Agent()
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
        if not isinstance(e, TicketStatusChanged):
            # Anything else that happens to a parked ticket ends its owner's parking (a
            # hand-over below still credits the owner).
            parked = owner.pop(getattr(e, "ticket_id", ""), None)
        if isinstance(e, TicketAssigned):
            release(e.ticket_id, e.at.timestamp())
            holder[e.ticket_id] = (e.agent_id, e.at.timestamp())
            last[e.ticket_id] = e.agent_id
            agent(e.agent_id).assignments += 1
        elif isinstance(e, TicketResolved):
            release(e.ticket_id, e.at.timestamp())
            last[e.ticket_id] = e.agent_id
            agent(e.agent_id).handled += 1
        elif isinstance(e, TicketTransferred | TicketEscalated):
            # Out of the hands of its holder, or of the agent who owns it parked.
            who = release(e.ticket_id, e.at.timestamp()) or parked
            if who is not None:
                agent(who).xfer += 1
        elif isinstance(e, TicketRequeued):
            release(e.ticket_id, e.at.timestamp())
        elif isinstance(e, TicketAbandoned):  # done for good, as closed: its id may come back
            release(e.ticket_id, e.at.timestamp())
            last.pop(e.ticket_id, None)
        elif isinstance(e, TicketStatusChanged):
            if e.new in ("pending", "on_hold"):
                who = release(e.ticket_id, e.at.timestamp())
                if who is not None:
                    owner[e.ticket_id] = who
            else:
                owner.pop(e.ticket_id, None)
        elif isinstance(e, TicketClosed):
            release(e.ticket_id, e.at.timestamp())
            last.pop(e.ticket_id, None)
        elif isinstance(e, SlaMet):
            who = last.get(e.ticket_id)
            if who is not None:
                rec = agent(who)
                if e.breached:
                    rec.missed += 1
                else:
                    rec.met += 1
                if e.metric is Metric.FIRST_RESPONSE:
                    rec.frt.append(e.elapsed.total_seconds())
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
            for kind, key in (("agent", e.agent_id), ("reason", e.reason), ("tier", e.tier)):
                t = gw[kind].get(key, GoodwillTotal())
                gw[kind][key] = GoodwillTotal(t.grants + 1, t.amount + e.amount)
        elif isinstance(e, GoodwillRequested):
            requests += 1
        elif isinstance(e, GoodwillDeclined):
            declined += 1
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
    )


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
) -> tuple[ConsistencyFlag, ...]:
    """The agents outside ``median * (1 - band) .. median * (1 + band)`` of their team.

    Args:
        report: A :func:`people_report`.
        teams: Each agent's team (agents not named form the team ``"desk"``).
        band: The band's half-width, as a fraction of the median (``0.25``: within 25 %).
        measures: Which measures to compare.
        min_handled: Agents who handled fewer tickets are not compared (too few to judge).

    Returns:
        The flags, by team, measure and agent.

    Raises:
        ConfigError: *report* is not a :class:`PeopleReport`, *teams* not a mapping, a
            negative or non-finite band, *measures* a string or naming an unknown measure, or
            *min_handled* not an int >= 0.
    """
    if isinstance(band, bool) or not isinstance(band, int | float) or not 0 <= band < math.inf:
        raise ConfigError(f"band must be a fraction >= 0, got {show(band)}")
    if not isinstance(report, PeopleReport):
        raise ConfigError(f"report must be a PeopleReport, got {show(report)}")
    if teams is not None and not isinstance(teams, Mapping):
        raise ConfigError(f"teams must be a mapping of agent to team, got {show(teams)}")
    if isinstance(min_handled, bool) or not isinstance(min_handled, int) or min_handled < 0:
        raise ConfigError(f"min_handled must be an int >= 0, got {show(min_handled)}")
    if isinstance(measures, str):
        raise ConfigError(
            f"measures must be a collection of measure names, got the string {show(measures)}; "
            f"known: {show(CONSISTENCY_MEASURES)}"
        )
    names = tuple(measures)
    for m in names:
        if m not in CONSISTENCY_MEASURES:
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
            low, high = median * (1 - band), median * (1 + band)
            for aid, v in values:
                if v is not None and not low <= v <= high:
                    flags.append(ConsistencyFlag(aid, team, m, v, median, low, high))
    return tuple(flags)
