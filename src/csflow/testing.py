"""Tools for testing routing policies and desks: clocks, replay, invariants, stories, strategies.

Install with the ``testing`` extra (``pip install csflow[testing]``): the Hypothesis strategies
need ``hypothesis``.  Nothing here is needed at run time by a desk.

* :class:`ManualClock` -- a clock a test moves by hand, which refuses to go backwards.
* :func:`replay` -- run commands against a fresh desk and collect the events.
* :func:`check_invariants` -- the desk's contract, checked by brute force (no shortcuts shared
  with the engine): every ticket in exactly one place, loads within capacity, work conserved.
* :class:`Story` -- a scenario that reads like one ("at 09:00 a platinum customer opens a
  chat; at 09:00:40 agent Sari replies").
* ``assert_*`` helpers with failure messages that show what happened instead.
* Hypothesis strategies: :func:`calendars`, :func:`customers`, :func:`tickets`,
  :func:`agent_profiles`, :func:`rule_sets`, :func:`desk_configs`, :func:`commands`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import attrs
from hypothesis import strategies as st

from csflow._time import instant_us
from csflow.calendar import BusinessCalendar
from csflow.desk import Desk, DeskConfig, QueueSpec, TeamSpec
from csflow.errors import CsflowError, InvalidTransitionError, InvariantError
from csflow.events import Event, TicketAssigned
from csflow.model import AgentProfile, Channel, Customer, Priority, Ticket, Tier
from csflow.routing import QueueSlot, RoutingProfile
from csflow.rules import RuleSet
from csflow.sla import Metric, SlaBreached, SlaPolicy

__all__ = [
    "Command",
    "InvariantError",
    "ManualClock",
    "Story",
    "agent_profiles",
    "assert_assigned",
    "assert_breached",
    "assert_no_breach",
    "assert_queued",
    "calendars",
    "check_invariants",
    "commands",
    "customers",
    "desk_configs",
    "replay",
    "rule_sets",
    "tickets",
]


# ---------------------------------------------------------------------------------------------
# Clock


class ManualClock:
    """A clock a test moves by hand.

    Args:
        start: The first instant (aware).

    Examples:
        >>> clock = ManualClock(datetime(2026, 3, 2, 9, tzinfo=timezone.utc))
        >>> clock.advance(seconds=40).isoformat()
        '2026-03-02T09:00:40+00:00'
    """

    def __init__(self, start: datetime) -> None:
        instant_us(start, "start", InvalidTransitionError)
        self._now = start

    @property
    def now(self) -> datetime:
        """The current instant."""
        return self._now

    def advance(self, delta: timedelta | None = None, **parts: float) -> datetime:
        """Move forward by *delta* (or ``timedelta(**parts)``) and return the new instant.

        Raises:
            InvalidTransitionError: A negative step.
        """
        step = delta if delta is not None else timedelta(**parts)
        if step < timedelta(0):
            raise InvalidTransitionError(f"a clock cannot go backwards, got a step of {step!r}")
        self._now = self._now + step
        return self._now

    def set(self, when: datetime) -> datetime:
        """Move to *when*.

        Raises:
            InvalidTransitionError: *when* is earlier than now.
        """
        if instant_us(when, "when", InvalidTransitionError) < instant_us(self._now, "now"):
            raise InvalidTransitionError(
                f"a clock cannot go backwards: now {self._now.isoformat()}, got {when!r}"
            )
        self._now = when
        return when


# ---------------------------------------------------------------------------------------------
# Replay


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

        Raises:
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


# ---------------------------------------------------------------------------------------------
# Invariants


def _can_take(desk: Desk, agent_id: str, channel: str) -> bool:
    """Spare capacity for *channel*, worked out from the configuration and the agent's load."""
    st_ = desk.agent(agent_id)
    rules = desk.config.capacity
    cap = st_.profile.capacity.get(channel, 0)
    limit = rules.limits.get(channel)
    if limit is not None:
        cap = min(cap, limit)
    if st_.counts.get(channel, 0) >= cap:
        return False
    held_channels = {c for c, n in st_.counts.items() if n}
    if held_channels & rules.exclusive:
        return False
    if channel in rules.exclusive and held_channels:
        return False
    return rules.budget is None or st_.load + rules.weight(channel) <= rules.budget


def _serving(desk: Desk) -> dict[str, list[QueueSlot]]:
    profiles = desk.config.routing_profiles or (
        RoutingProfile("default", [QueueSlot(q) for q in desk.queue_names()]),
    )
    return {p.name: list(p.queues) for p in profiles}


def check_invariants(desk: Desk) -> None:
    """Check the desk's contract by brute force; raise :class:`InvariantError` if broken.

    1. Every ticket is in exactly one place: waiting in one queue (``queued``), held by its
       agent (``assigned``), owned without being held (``pending``/``on_hold``), or nowhere
       (``solved``, ``closed``, ``abandoned``).
    2. An agent's load is the summed weight of the tickets it holds, and no channel is held
       above the agent's capacity.
    3. Work is conserved: unless a routing timer is already due (a relaxation step, an
       overflow delay or a preferred-agent hold the host has not advanced past), no
       routable agent with room for a waiting ticket's channel is eligible for it and served
       its queue.
    4. No goodwill allowance has spent more than its size in the current period.
    """
    waiting: dict[str, str] = {}
    for name in desk.queue_names():
        for e in desk.queue(name):
            if e.ticket_id in waiting:
                raise InvariantError(f"ticket {e.ticket_id!r} waits in two queues")
            waiting[e.ticket_id] = name
    holders: dict[str, str] = {}
    for aid in desk.agents():
        for tid in desk.agent(aid).held:
            if tid in holders:
                raise InvariantError(f"ticket {tid!r} held by {holders[tid]!r} and {aid!r}")
            holders[tid] = aid
    for tid in desk.tickets():
        v = desk.ticket(tid)
        where = "waiting" if tid in waiting else "held" if tid in holders else "nowhere"
        expected = {"queued": "waiting", "assigned": "held"}.get(v.state, "nowhere")
        if where != expected:
            raise InvariantError(f"ticket {tid!r} is {v.state} but {where}")
        if v.state == "queued" and waiting[tid] != v.queue:
            raise InvariantError(f"ticket {tid!r} waits in {waiting[tid]!r}, not {v.queue!r}")
        if v.state == "assigned" and holders[tid] != v.agent_id:
            raise InvariantError(f"ticket {tid!r} held by {holders[tid]!r}, not {v.agent_id!r}")
        owner = v.agent_id
        if v.state in ("pending", "on_hold") and owner is not None and tid not in desk.owned(owner):
            raise InvariantError(f"ticket {tid!r} is {v.state} but not owned by its agent")
    unknown = (set(waiting) | set(holders)) - set(desk.tickets())
    if unknown:
        raise InvariantError(f"tickets {sorted(unknown)!r} are in line or held but unknown")
    rules = desk.config.capacity
    for aid in desk.agents():
        st_ = desk.agent(aid)
        counts: dict[str, int] = {}
        for tid in st_.held:
            tv = desk.ticket(tid)
            c = Channel.PHONE.name if tv.callback else tv.ticket.channel.name
            counts[c] = counts.get(c, 0) + 1
        if {c: n for c, n in st_.counts.items() if n} != counts:
            raise InvariantError(f"agent {aid!r} counts {dict(st_.counts)!r}, holds {counts!r}")
        load = sum(rules.weight(c) * n for c, n in counts.items())
        if st_.load != load:
            raise InvariantError(f"agent {aid!r} load {st_.load} != summed weights {load}")
        for c, n in counts.items():
            cap = st_.profile.capacity.get(c, 0)
            if n > cap:
                raise InvariantError(f"agent {aid!r} holds {n} {c!r} tickets, capacity {cap}")
        if rules.budget is not None and load > rules.budget:
            raise InvariantError(f"agent {aid!r} load {load} over budget {rules.budget}")
    for budget, (spent, size) in desk.goodwill_balances().items():
        if spent > size:
            raise InvariantError(f"goodwill allowance {budget!r} spent {spent}, over {size}")
    now = desk.now
    # Only routing timers (relaxation, overflow delays, preferred-agent holds) may leave work
    # waiting; SLA timers never change who may take a ticket.
    wake = desk._router.next_step_at()
    if now is None or (wake is not None and wake <= now):
        return
    now_us = instant_us(now, "now")
    serving = _serving(desk)
    for name in desk.queue_names():
        for e in desk.queue(name):
            sig = e.signature
            for aid in desk.agents():
                st_ = desk.agent(aid)
                if not st_.routable or (sig.agent is not None and sig.agent != aid):
                    continue
                if not sig.admits(st_.profile) or not _can_take(desk, aid, sig.channel):
                    continue
                waited = now_us - e.queued_at_us
                if any(s.queue == name and s.delay_us <= waited for s in serving[st_.group]):
                    raise InvariantError(
                        f"work not conserved: agent {aid!r} could take waiting ticket "
                        f"{e.ticket_id!r} ({sig}) from queue {name!r}"
                    )


# ---------------------------------------------------------------------------------------------
# Assertions


def _show_events(events: Sequence[Event]) -> str:
    return "\n".join(f"  {e!r}" for e in events) or "  (no events)"


def assert_assigned(events: Sequence[Event], ticket: str, agent: str | None = None) -> None:
    """Assert that *events* assign *ticket* (to *agent*, when given).

    Raises:
        AssertionError: With the events that did happen.
    """
    for e in events:
        if isinstance(e, TicketAssigned) and e.ticket_id == ticket:
            if agent is None or e.agent_id == agent:
                return
            raise AssertionError(
                f"ticket {ticket!r} was assigned to {e.agent_id!r}, not {agent!r}:\n{_show_events(events)}"
            )
    raise AssertionError(f"ticket {ticket!r} was not assigned; events:\n{_show_events(events)}")


def assert_queued(events: Sequence[Event], ticket: str) -> None:
    """Assert that *ticket* entered a queue and was not assigned in *events*.

    Raises:
        AssertionError: With the events that did happen.
    """
    if any(isinstance(e, TicketAssigned) and e.ticket_id == ticket for e in events):
        raise AssertionError(f"ticket {ticket!r} was assigned; events:\n{_show_events(events)}")


def assert_no_breach(
    events: Sequence[Event], ticket: str | None = None, metric: Metric | str | None = None
) -> None:
    """Assert that no SLA was breached in *events* (for *ticket* / *metric*, when given).

    Raises:
        AssertionError: Naming the breaches.
    """
    m = None if metric is None else Metric.parse(metric)
    bad = [
        e
        for e in events
        if isinstance(e, SlaBreached)
        and (ticket is None or e.ticket_id == ticket)
        and (m is None or e.metric is m)
    ]
    if bad:
        raise AssertionError(f"unexpected SLA breaches:\n{_show_events(bad)}")


def assert_breached(events: Sequence[Event], ticket: str, metric: Metric | str) -> SlaBreached:
    """Assert that *ticket*'s *metric* was breached in *events*; returns the breach.

    Raises:
        AssertionError: With the events that did happen.
    """
    m = Metric.parse(metric)
    for e in events:
        if isinstance(e, SlaBreached) and e.ticket_id == ticket and e.metric is m:
            return e
    raise AssertionError(
        f"no {m.name} breach for ticket {ticket!r}; events:\n{_show_events(events)}"
    )


# ---------------------------------------------------------------------------------------------
# Stories


_STEP = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


class Story:
    """A scenario that reads like one, run against a real desk.

    Args:
        desk: The desk (or a :class:`~csflow.desk.DeskConfig` to build one from).
        day: The day the story happens on (aware midnight, in the desk's zone).

    Every step takes a wall-clock time ``"HH:MM"`` or ``"HH:MM:SS"`` on *day*, advances the
    desk to it (firing what is due), runs the command, and keeps every event in
    :attr:`events`; each step returns the events of that step (advance included).

    Examples:
        >>> from csflow.desk import DeskConfig
        >>> s = Story(DeskConfig(), datetime(2026, 3, 2, tzinfo=timezone.utc))
        >>> _ = s.agent("09:00", "sari", chat=3)
        >>> _ = s.customer_opens("09:00", "t1", "chat", tier="platinum")
        >>> s.holder("t1")
        'sari'
    """

    def __init__(self, desk: Desk | DeskConfig, day: datetime) -> None:
        self.desk = desk if isinstance(desk, Desk) else Desk(desk)
        instant_us(day, "day", InvalidTransitionError)
        self.day = day
        self.events: list[Event] = []
        self._tiers: dict[str, Tier] = dict(self.desk.config.tiers)

    def at(self, clock: str) -> datetime:
        """The instant of ``"HH:MM[:SS]"`` on the story's day.

        Raises:
            InvalidTransitionError: A malformed time.
        """
        m = _STEP.match(clock)
        if m is None:
            raise InvalidTransitionError(f"expected 'HH:MM' or 'HH:MM:SS', got {clock!r}")
        h, mi, s = int(m[1]), int(m[2]), int(m[3] or 0)
        if h > 23 or mi > 59 or s > 59:
            raise InvalidTransitionError(f"no such time of day {clock!r}")
        return datetime.combine(self.day.date(), time(h, mi, s), self.day.tzinfo)

    def _run(self, clock: str, fn: Callable[[datetime], list[Event]]) -> list[Event]:
        when = self.at(clock)
        out = self.desk.advance(at=when)
        out += fn(when)
        self.events += out
        return out

    def agent(
        self,
        clock: str,
        agent_id: str,
        *,
        skills: Mapping[str, int] | None = None,
        languages: Iterable[str] = (),
        teams: Iterable[str] = (),
        presence: str = "available",
        **capacity: int,
    ) -> list[Event]:
        """An agent logs in with capacity per channel (``chat=3, email=2``)."""
        cap: dict[Channel | str, int] = {}
        cap.update(capacity)
        profile = AgentProfile(
            agent_id,
            skills=dict(skills or {}),
            languages=list(languages),
            capacity=cap,
            teams=list(teams),
        )
        return self._run(clock, lambda at: self.desk.add_agent(profile, at=at, presence=presence))

    def customer_opens(
        self,
        clock: str,
        ticket_id: str,
        channel: str,
        *,
        tier: str = "regular",
        customer: str | None = None,
        **fields: Any,
    ) -> list[Event]:
        """A customer of *tier* opens a ticket on *channel* (extra Ticket fields by keyword)."""
        when = self.at(clock)
        t = self._tiers.get(tier) or Tier(tier, 0)
        pref = fields.pop("preferred_agent", None)
        lang = fields.get("language")
        c = Customer(customer or f"customer-of-{ticket_id}", t, lang, pref)
        ticket = Ticket(ticket_id, c, channel, when, **fields)
        return self._run(clock, lambda at: self.desk.submit(ticket, at=at))

    def replies(self, clock: str, agent_id: str, ticket_id: str) -> list[Event]:
        """*agent_id* replies to *ticket_id*."""
        return self._run(clock, lambda at: self.desk.reply(ticket_id, agent_id, at=at))

    def resolves(self, clock: str, agent_id: str, ticket_id: str) -> list[Event]:
        """*agent_id* solves *ticket_id*."""
        return self._run(clock, lambda at: self.desk.resolve(ticket_id, agent_id, at=at))

    def do(self, clock: str, command: str, *args: Any) -> list[Event]:
        """Any desk command: ``story.do("09:05", "escalate", "t1", "finance")``."""
        return self._run(clock, lambda at: Command(command, at, args).apply(self.desk))

    def wait_until(self, clock: str) -> list[Event]:
        """Let time pass to *clock*, firing what is due."""
        return self._run(clock, lambda at: [])

    def holder(self, ticket_id: str) -> str | None:
        """The agent who has *ticket_id* now."""
        return self.desk.ticket(ticket_id).agent_id


# ---------------------------------------------------------------------------------------------
# Hypothesis strategies

_ZONES = ("UTC", "Asia/Jakarta", "Europe/London", "America/New_York", "Australia/Lord_Howe")
_TIERS = (Tier("platinum", 4), Tier("gold", 3), Tier("silver", 2), Tier("regular", 1))
_CHANNELS = ("phone", "chat", "email", "whatsapp", "social")
_SKILLS = ("billing", "refunds", "tech", "logistics")
_LANGS = ("id", "en")


@st.composite
def calendars(draw: st.DrawFn) -> BusinessCalendar:
    """Business calendars: a zone, weekday hours (sometimes split, sometimes 24/7), holidays."""
    zone = draw(st.sampled_from(_ZONES))
    if draw(st.booleans()):
        return BusinessCalendar.always_open(zone)
    start = draw(st.integers(6, 10))
    end = draw(st.integers(start + 2, 23))
    days = draw(
        st.sets(st.sampled_from(("mon", "tue", "wed", "thu", "fri", "sat", "sun")), min_size=1)
    )
    weekly = {d: [(f"{start:02d}:00", f"{end:02d}:00")] for d in days}
    holidays = draw(st.sets(st.dates(date(2026, 1, 1), date(2027, 12, 31)), max_size=5))
    return BusinessCalendar(zone, weekly, holidays)


def customers(tiers: Sequence[Tier] = _TIERS) -> st.SearchStrategy[Customer]:
    """Customers of the given tiers, with a language and sometimes a preferred agent."""
    return st.builds(
        Customer,
        st.text("abcdef0123456789", min_size=1, max_size=6).map(lambda s: f"c-{s}"),
        st.sampled_from(list(tiers)),
        st.sampled_from([None, *_LANGS]),
        st.one_of(st.none(), st.sampled_from(["a0", "a1", "a2"])),
    )


def tickets(
    ids: st.SearchStrategy[str] | None = None,
    *,
    created_at: datetime = datetime(2026, 3, 2, 9, tzinfo=UTC),
    tiers: Sequence[Tier] = _TIERS,
) -> st.SearchStrategy[Ticket]:
    """Tickets on the five common channels with priorities, skills and order values."""
    return st.builds(
        Ticket,
        ids if ids is not None else st.uuids().map(lambda u: f"t-{u.hex[:8]}"),
        customers(tiers),
        st.sampled_from(_CHANNELS),
        st.just(created_at),
        priority=st.sampled_from(list(Priority)),
        category=st.sampled_from(["general", "refund", "delivery"]),
        required_skills=st.dictionaries(st.sampled_from(_SKILLS), st.integers(1, 5), max_size=2),
        attributes=st.fixed_dictionaries({"order_value": st.integers(0, 5_000_000)}),
    )


def agent_profiles(ids: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[AgentProfile]:
    """Agents with skills at some proficiency, languages, capacity on some channels, teams."""
    return st.builds(
        AgentProfile,
        ids if ids is not None else st.sampled_from([f"a{i}" for i in range(8)]),
        skills=st.dictionaries(st.sampled_from(_SKILLS), st.integers(1, 5), max_size=4),
        languages=st.sets(st.sampled_from(_LANGS), max_size=2),
        capacity=st.dictionaries(st.sampled_from(_CHANNELS), st.integers(1, 3), min_size=1),
        teams=st.sets(st.sampled_from(["front", "technical", "finance"]), max_size=2),
    )


_FIELDS = {
    "tier": st.sampled_from([t.name for t in _TIERS]),
    "channel": st.sampled_from(_CHANNELS),
    "category": st.sampled_from(["general", "refund", "delivery"]),
    "priority": st.sampled_from(["low", "normal", "high", "urgent"]),
}


@st.composite
def _condition(draw: st.DrawFn) -> dict[str, Any]:
    field = draw(st.sampled_from(sorted(_FIELDS)))
    if draw(st.booleans()):
        return {"field": field, "eq": draw(_FIELDS[field])}
    return {"field": field, "in": draw(st.lists(_FIELDS[field], min_size=1, max_size=3))}


@st.composite
def rule_sets(
    draw: st.DrawFn, *, queues: Sequence[str] = ("default",), sla_policies: Sequence[str] = ()
) -> RuleSet:
    """Triage rule sets over tier, channel, category and priority naming the given targets."""
    n = draw(st.integers(0, 4))
    rules = []
    for i in range(n):
        then: dict[str, Any] = {"queue": draw(st.sampled_from(list(queues)))}
        use_policy: bool = draw(st.booleans())
        if sla_policies and use_policy:
            then["sla_policy"] = draw(st.sampled_from(list(sla_policies)))
        if draw(st.booleans()):
            then["priority"] = draw(_FIELDS["priority"])
        conds = draw(st.lists(_condition(), min_size=1, max_size=3))
        rules.append({"name": f"r{i}", "when": {"all": conds}, "then": then})
    return RuleSet.from_dicts(rules, mode=draw(st.sampled_from(["first", "all"])))


@st.composite
def desk_configs(draw: st.DrawFn) -> DeskConfig:
    """Desk configurations: 1-3 queues, 24/7 or office SLA policies, teams, capacity rules."""
    nq = draw(st.integers(1, 3))
    queues = [f"q{i}" for i in range(nq)]
    cal = draw(calendars())
    policies = [
        SlaPolicy(
            "fast",
            cal,
            {Metric.FIRST_RESPONSE: timedelta(minutes=1), Metric.RESOLUTION: timedelta(hours=1)},
        ),
        SlaPolicy("slow", cal, {Metric.FIRST_RESPONSE: timedelta(hours=1)}),
    ]
    profiles = [RoutingProfile("p0", [QueueSlot(q, i + 1) for i, q in enumerate(queues)])]
    if nq > 1 and draw(st.booleans()):
        profiles.append(
            RoutingProfile(
                "p1", [QueueSlot(queues[-1], 1, timedelta(seconds=draw(st.integers(0, 120))))]
            )
        )
    teams = [TeamSpec("front", queues[0], "p0"), TeamSpec("finance", queues[-1], profiles[-1].name)]
    return DeskConfig(
        tiers=_TIERS,
        sla_policies=policies,
        queues=[QueueSpec(q) for q in queues],
        routing_profiles=profiles,
        triage=draw(rule_sets(queues=queues, sla_policies=["fast", "slow"])),
        default_sla_policy=draw(st.sampled_from([None, "fast", "slow"])),
        teams=teams,
        survey_delay=draw(st.sampled_from([None, timedelta(minutes=30)])),
    )


@st.composite
def commands(
    draw: st.DrawFn,
    *,
    start: datetime = datetime(2026, 3, 2, 9, tzinfo=UTC),
    max_size: int = 40,
) -> list[Command]:
    """Command sequences over a few agents and tickets, time moving forward (some fail)."""
    out: list[Command] = []
    now = start
    agents = [f"a{i}" for i in range(4)]
    tids: list[str] = []
    for _ in range(draw(st.integers(1, max_size))):
        now = now + timedelta(seconds=draw(st.integers(0, 600)))
        kind = draw(
            st.sampled_from(
                [
                    "agent",
                    "presence",
                    "submit",
                    "submit",
                    "reply",
                    "resolve",
                    "advance",
                    "pending",
                    "open",
                    "abandon",
                    "callback",
                    "transfer",
                    "reopen",
                    "priority",
                ]
            )
        )
        tid = draw(st.sampled_from(tids)) if tids else "t0"
        aid = draw(st.sampled_from(agents))
        if kind == "agent":
            prof = draw(agent_profiles(st.just(aid)))
            out.append(Command("add_agent", now, (prof,)))
        elif kind == "presence":
            out.append(
                Command(
                    "set_presence",
                    now,
                    (aid, draw(st.sampled_from(["available", "away", "offline"]))),
                )
            )
        elif kind == "submit":
            new = f"t{len(tids)}"
            tids.append(new)
            out.append(Command("submit", now, (draw(tickets(st.just(new), created_at=now)),)))
        elif kind in ("reply", "resolve"):
            out.append(Command(kind, now, (tid, aid)))
        elif kind == "advance":
            out.append(Command("advance", now))
        elif kind in ("pending", "open"):
            out.append(Command("set_status", now, (tid, kind)))
        elif kind == "abandon":
            out.append(Command("abandon", now, (tid,)))
        elif kind == "callback":
            out.append(Command("request_callback", now, (tid,)))
        elif kind == "transfer":
            out.append(Command("transfer", now, (tid, draw(st.sampled_from([*agents, "finance"])))))
        elif kind == "reopen":
            out.append(Command("reopen", now, (tid,)))
        else:
            out.append(Command("set_priority", now, (tid, draw(_FIELDS["priority"]))))
    return out
