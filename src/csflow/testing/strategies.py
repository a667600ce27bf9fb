"""Hypothesis strategies for csflow values: calendars, customers, tickets, agents, rule sets
and desk configurations.

Given a configuration (``config=``), customers, tickets and agents speak its language: its
tiers, the channels, languages, skills and categories its rules name, its teams (see
:class:`~csflow.testing.vocabulary.Vocabulary`).  Without one they draw from a fixed set of
common names.  Command programs that drive a desk are in :mod:`csflow.testing.programs`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import attrs
from hypothesis import strategies as st

from csflow.calendar import BusinessCalendar
from csflow.desk import DeskConfig, QueueSpec, TeamSpec
from csflow.model import AgentProfile, Channel, Customer, Metric, Priority, Ticket, Tier
from csflow.routing import CapacityRules, QueueSlot, RoutingProfile
from csflow.rules import RuleSet
from csflow.sla import SlaPolicy
from csflow.testing.vocabulary import COMMON_CHANNELS, Vocabulary

__all__ = [
    "agent_profiles",
    "calendars",
    "customers",
    "desk_configs",
    "rule_sets",
    "tickets",
]

_ZONES = ("UTC", "Asia/Jakarta", "Europe/London", "America/New_York", "Australia/Lord_Howe")
_TIERS = (Tier("platinum", 4), Tier("gold", 3), Tier("silver", 2), Tier("regular", 1))
_SKILLS = ("billing", "refunds", "tech", "logistics")
_LANGS = ("id", "en")
_CATEGORIES = ("general", "refund", "delivery")


def _vocabulary(config: DeskConfig | Vocabulary | None) -> Vocabulary | None:
    if config is None or isinstance(config, Vocabulary):
        return config
    return Vocabulary.of(config)


@st.composite
def calendars(draw: st.DrawFn) -> BusinessCalendar:
    """Business calendars: a zone, weekday hours (sometimes split, sometimes 24/7), holidays.

    Split hours close for an hour or more within the day (``09:00-12:00`` and
    ``13:00-17:00``); every open day has the same hours.
    """
    zone = draw(st.sampled_from(_ZONES))
    if draw(st.booleans()):
        return BusinessCalendar.always_open(zone)
    start = draw(st.integers(6, 10))
    end = draw(st.integers(start + 2, 23))
    days = draw(
        st.sets(st.sampled_from(("mon", "tue", "wed", "thu", "fri", "sat", "sun")), min_size=1)
    )
    hours = [(f"{start:02d}:00", f"{end:02d}:00")]
    if end - start >= 3 and draw(st.booleans()):
        # Split hours: closed for an hour or more in the middle of the day (lunch).
        pause = draw(st.integers(start + 1, end - 2))
        back = draw(st.integers(pause + 1, end - 1))
        hours = [(f"{start:02d}:00", f"{pause:02d}:00"), (f"{back:02d}:00", f"{end:02d}:00")]
    weekly = dict.fromkeys(days, hours)
    holidays = draw(st.sets(st.dates(date(2026, 1, 1), date(2027, 12, 31)), max_size=5))
    return BusinessCalendar(zone, weekly, holidays)


def customers(
    tiers: Sequence[Tier] = _TIERS,
    *,
    config: DeskConfig | Vocabulary | None = None,
    agents: Sequence[str] = ("a0", "a1", "a2"),
) -> st.SearchStrategy[Customer]:
    """Customers of the given tiers, with a language and sometimes a preferred agent.

    Args:
        tiers: The tiers to draw (ignored when *config* is given).
        config: A configuration (or its vocabulary): draw its tiers and languages.
        agents: Agent ids a customer may prefer.

    Returns:
        A strategy of :class:`~csflow.model.Customer`.
    """
    voc = _vocabulary(config)
    tier_list = list(voc.tiers if voc is not None else tiers)
    langs = voc.languages if voc is not None else _LANGS
    prefs = st.one_of(st.none(), st.sampled_from(list(agents))) if agents else st.none()
    return st.builds(
        Customer,
        st.text("abcdef0123456789", min_size=1, max_size=6).map(lambda s: f"c-{s}"),
        st.sampled_from(tier_list),
        st.sampled_from([None, *langs]),
        prefs,
    )


def tickets(
    ids: st.SearchStrategy[str] | None = None,
    *,
    created_at: datetime = datetime(2026, 3, 2, 9, tzinfo=UTC),
    tiers: Sequence[Tier] = _TIERS,
    config: DeskConfig | Vocabulary | None = None,
) -> st.SearchStrategy[Ticket]:
    """Tickets with priorities, skills and order values, on the common channels or the config's.

    About one in four is written in a language other than its customer's
    (:attr:`Ticket.language <csflow.model.Ticket.language>`).  With a configuration, tickets
    also draw the attribute values its rules compare (``attributes.order_value`` around a
    rule's bound, see :attr:`Vocabulary.attributes
    <csflow.testing.vocabulary.Vocabulary.attributes>`).

    Args:
        ids: A strategy of ticket ids (default: ``t-<8 hex digits>``).
        created_at: When every ticket was created.
        tiers: The tiers to draw (ignored when *config* is given).
        config: A configuration (or its vocabulary): draw its tiers, channels, languages,
            skills and categories.

    Returns:
        A strategy of :class:`~csflow.model.Ticket`.
    """
    voc = _vocabulary(config)
    channels = voc.channels if voc is not None else COMMON_CHANNELS
    skills = voc.skills if voc is not None else _SKILLS
    categories = voc.categories if voc is not None else _CATEGORIES
    langs = voc.languages if voc is not None else _LANGS
    values = dict(voc.attributes) if voc is not None else {}
    order_value: st.SearchStrategy[Any] = st.integers(0, 5_000_000)
    if "order_value" in values:
        order_value = st.one_of(st.sampled_from(values.pop("order_value")), order_value)
    attributes = st.fixed_dictionaries(
        {"order_value": order_value},
        optional={k: st.sampled_from(v) for k, v in values.items()},
    )
    return _written_in(
        langs,
        st.builds(
            Ticket,
            ids if ids is not None else st.uuids().map(lambda u: f"t-{u.hex[:8]}"),
            customers(tiers, config=voc),
            st.sampled_from(channels),
            st.just(created_at),
            priority=st.sampled_from(list(Priority)),
            category=st.sampled_from(categories),
            required_skills=(
                st.dictionaries(st.sampled_from(skills), st.integers(1, 5), max_size=2)
                if skills
                else st.just({})
            ),
            attributes=attributes,
        ),
    )


@st.composite
def _written_in(
    draw: st.DrawFn, languages: Sequence[str], base: st.SearchStrategy[Ticket]
) -> Ticket:
    # Sometimes a ticket is written in another language than its customer's (a policy must
    # read the ticket's, not the customer's); as shrunk, the customer's.
    ticket = draw(base)
    others = [lang for lang in languages if lang != ticket.customer.language]
    if others and draw(st.integers(0, 3)) == 3:
        ticket = attrs.evolve(ticket, language=draw(st.sampled_from(others)))
    return ticket


def agent_profiles(
    ids: st.SearchStrategy[str] | None = None,
    *,
    config: DeskConfig | Vocabulary | None = None,
) -> st.SearchStrategy[AgentProfile]:
    """Agents with skills at some proficiency, languages, capacity on some channels, teams.

    Args:
        ids: A strategy of agent ids (default ``a0`` ... ``a7``).
        config: A configuration (or its vocabulary): draw its skills, languages, channels and
            teams.

    Returns:
        A strategy of :class:`~csflow.model.AgentProfile`.
    """
    voc = _vocabulary(config)
    skills = voc.skills if voc is not None else _SKILLS
    langs = voc.languages if voc is not None else _LANGS
    channels = voc.channels if voc is not None else COMMON_CHANNELS
    teams = voc.teams if voc is not None else ("front", "technical", "finance")
    skill_st = (
        st.dictionaries(st.sampled_from(skills), st.integers(1, 5), max_size=4)
        if skills
        else st.just({})
    )
    team_st = st.sets(st.sampled_from(teams), max_size=2) if teams else st.just(set[str]())
    return st.builds(
        AgentProfile,
        ids if ids is not None else st.sampled_from([f"a{i}" for i in range(8)]),
        skills=skill_st,
        languages=st.sets(st.sampled_from(langs), max_size=2),
        capacity=st.dictionaries(st.sampled_from(channels), st.integers(1, 3), min_size=1),
        teams=team_st,
    )


_FIELDS = {
    "tier": st.sampled_from([t.name for t in _TIERS]),
    "channel": st.sampled_from(COMMON_CHANNELS),
    "category": st.sampled_from(_CATEGORIES),
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
    """Triage rule sets over tier, channel, category and priority naming the given targets.

    Args:
        draw: Supplied by Hypothesis.
        queues: The queues a rule may send to.
        sla_policies: The SLA policies a rule may choose.

    Returns:
        A :class:`~csflow.rules.RuleSet` of up to four rules.
    """
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
    """Desk configurations: 1-3 queues, 24/7 or office SLA policies, teams, capacity rules.

    About half draw capacity rules other than the default
    (:class:`~csflow.routing.CapacityRules`): channel weights within a load budget, channel
    limits, and no exclusive channel, the phone, or the phone and chat.

    Args:
        draw: Supplied by Hypothesis.

    Returns:
        A valid :class:`~csflow.desk.DeskConfig`.
    """
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
    # Each team has a queue of its own (DeskConfig refuses two on one): with one queue, the
    # front team only.
    teams = [TeamSpec("front", queues[0], "p0")]
    if nq > 1:
        teams.append(TeamSpec("finance", queues[-1], profiles[-1].name))
    capacity = CapacityRules()
    if draw(st.booleans()):
        # How channels share an agent: weights within a budget, per-channel limits, other
        # exclusive channels (or none).  A weight never exceeds the budget, so every channel
        # can still be served.
        budget = draw(st.one_of(st.none(), st.integers(2, 4)))
        weights: dict[Channel | str, int] = draw(
            st.dictionaries(
                st.sampled_from(COMMON_CHANNELS), st.integers(1, budget or 3), max_size=2
            )
        )
        limits: dict[Channel | str, int] = draw(
            st.dictionaries(st.sampled_from(COMMON_CHANNELS), st.integers(1, 2), max_size=2)
        )
        exclusive = draw(st.sampled_from([(), ("phone",), ("phone", "chat")]))
        capacity = CapacityRules(weights, limits, exclusive, budget)
    return DeskConfig(
        tiers=_TIERS,
        sla_policies=policies,
        queues=[QueueSpec(q) for q in queues],
        routing_profiles=profiles,
        triage=draw(rule_sets(queues=queues, sla_policies=["fast", "slow"])),
        default_sla_policy=draw(st.sampled_from([None, "fast", "slow"])),
        teams=teams,
        capacity=capacity,
        survey_delay=draw(st.sampled_from([None, timedelta(minutes=30)])),
        close_solved_after=draw(st.sampled_from([None, timedelta(hours=1)])),
    )
