"""Command programs drawn against a real desk built from the user's configuration.

Theory of operation
-------------------
Which commands make sense depends on the desk's state: a reply is accepted only from the agent
who has the ticket, a requeue (a call-back whose customer did not pick up, given back) only
from the agent holding it, an escalation only along an edge of the escalation graph, a reopen
only for a solved ticket, a rating only for a resolution not yet rated, a supervisor's answer
only for a goodwill request that awaits one.  Drawn blindly (an agent id and a ticket id at
random), nearly every reply, resolve and status change is refused and the policy paths behind
them are never reached.  So a program is drawn *interactively*: a :class:`CommandDriver` owns
a real :class:`~csflow.desk.Desk` built from the configuration, and every command is drawn
from what that desk makes possible now (the assigned agent, an allowed team, a solved ticket,
a grant within what is left of an agent's allowance), applied at once, and the next one drawn
from the new state.  Hypothesis records every draw, so a failing program still shrinks: fewer
steps, earlier kinds, smaller time steps.

A kind the configuration rules out is never possible: ``set_sla_policy`` needs an SLA policy,
the goodwill commands need a goodwill policy (and ``approve_goodwill``/``decline_goodwill`` a
pending request, so an ``over_limit="refuse"`` policy never has one).  A grant is drawn within
the agent's allowance and the ticket's limit, or (under ``over_limit="approval"``) above one,
which becomes a request for a supervisor.  What the desk's public views do not show -- which
resolutions were rated, what each ticket has been granted, which ticket a pending request is
on -- the driver keeps from the events of the commands it applies (so commands a test applies
to :attr:`CommandDriver.desk` directly leave it behind).

Keyword arguments are drawn too (:attr:`Command.kwargs <csflow.testing.command.Command.kwargs>`):
when the configuration has several routing profiles, an agent now and then joins, or is
moved by ``update_agent``, under one named by ``routing_profile`` rather than its team's; some
agents join already available (``presence``).  A call-back an agent holds is often given back
(``requeue``: its customer did not pick up).  Under ``close_solved_after`` nothing is drawn to
keep a solved ticket open: the time steps (overnight, the next timer, the weekend) run past
resolutions' windows, and the desk closes those tickets by itself.

A tunable share of steps (*refusals*) draws any command kind with arbitrary arguments, so the
refusal paths ("a command that raises has changed nothing") are tested too.  Every other
command is drawn to be accepted: a desk that refuses one (a policy that raises for some
customers, say) is not doing its job, and each :class:`Step` says which way it was drawn
(:attr:`Step.refusal`) so that :class:`~csflow.testing.machine.DeskMachine` can fail on it.

Time moves forward before each command by a drawn step: none, seconds, minutes, to the desk's
next timer (a warning, a breach, a relaxation step), to the next opening or closing of one of
the configuration's calendars (exactly on it, or a microsecond before or after), overnight, to
the weekend or the next Monday, or across the next DST change of a calendar's zone.  Time is
kept in UTC -- adding a step to a local time would move its wall clock, which across a DST
change goes back in time -- and each command's instant is that instant in the zone of the
start (a local start is fine).  When a timer is due at the new instant, the program first
advances the desk, as a host's loop does (``desk.advance(at=now)``).

Tickets come from the configuration's vocabulary, about one in eight written in another
language than its customer's, with the attribute values its rules compare.  When a step is
shrunk, it becomes a command drawn from what the desk makes possible, not an arbitrary one.

The same driver serves :func:`commands` (a strategy of command lists) and
:class:`~csflow.testing.machine.DeskMachine` (a stateful machine whose one ``step`` rule draws
the command kind by weight, as :func:`commands` does).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Final, TypeVar

import attrs
from hypothesis import strategies as st

from csflow._text import show
from csflow._time import instant_us, to_us, utc
from csflow.desk import LIFECYCLE, Desk, DeskConfig, TicketView
from csflow.desk.goodwill import MAX_AMOUNT, period_key
from csflow.errors import ConfigError, InvalidTransitionError, InvariantError
from csflow.events import (
    Event,
    FeedbackRecorded,
    GoodwillDeclined,
    GoodwillGranted,
    GoodwillRequested,
    TicketResolved,
)
from csflow.model import AgentProfile, Channel, Customer, Priority, Ticket
from csflow.queues import Signature
from csflow.testing.command import Command
from csflow.testing.invariants import can_take
from csflow.testing.vocabulary import Vocabulary, dst_changes

__all__ = ["COMMAND_KINDS", "CommandDriver", "Step", "commands"]

_T = TypeVar("_T")
Draw = Callable[[st.SearchStrategy[Any]], Any]

#: Every desk command a program draws, in the order a shrunk program prefers.
COMMAND_KINDS: Final[tuple[str, ...]] = (
    "submit",
    "add_agent",
    "set_presence",
    "reply",
    "resolve",
    "customer_message",
    "set_status",
    "set_priority",
    "set_sla_policy",
    "transfer",
    "escalate",
    "request_callback",
    "requeue",
    "abandon",
    "reopen",
    "close",
    "record_feedback",
    "grant_goodwill",
    "approve_goodwill",
    "decline_goodwill",
    "forget",
    "update_agent",
    "remove_agent",
    "advance",
)

# How often each kind is drawn when it is possible (relative weights).  Submissions and
# resolutions dominate so that tickets travel their whole life within a short program.
_WEIGHTS: Final[dict[str, int]] = {
    "submit": 6,
    "add_agent": 2,
    "set_presence": 2,
    "reply": 4,
    "resolve": 6,
    "customer_message": 2,
    "set_status": 4,
    "set_priority": 3,
    "set_sla_policy": 2,
    "transfer": 2,
    "escalate": 2,
    "request_callback": 5,
    "requeue": 3,
    "abandon": 3,
    "reopen": 3,
    "close": 3,
    "record_feedback": 2,
    "grant_goodwill": 4,
    "approve_goodwill": 3,
    "decline_goodwill": 3,
    "forget": 3,
    "update_agent": 1,
    "remove_agent": 1,
    "advance": 2,
}
_WORKING = ("assigned", "pending", "on_hold")
_STATUSES = ("pending", "on_hold", "open")
_MAX_AGENTS = 12
_CUSTOMERS = tuple(f"c{i}" for i in range(8))
_SUPERVISORS = ("lead-rina", "lead-budi")
_REASONS = ("late_delivery", "shipping_voucher", "damaged_item")


@attrs.frozen
class Step:
    """One command of a program and what the desk made of it.

    Attributes:
        command: The command.
        events: Its events (empty when refused).
        error: The error it raised, or ``None`` when accepted: a
            :class:`~csflow.errors.CsflowError` when the desk refused it, or any other
            exception a policy of the configuration (a host's callable) raised through the
            desk.
        refusal: The command was drawn with arbitrary arguments, to exercise refusals; when
            false it was drawn from what the desk makes possible, and the desk should accept
            it (a refusal then is the desk's fault, or its configuration's).
    """

    command: Command
    events: tuple[Event, ...] = ()
    error: Exception | None = None
    refusal: bool = False

    @property
    def kind(self) -> str:
        """The command's kind (its desk method)."""
        return self.command.name


class CommandDriver:
    """Draws commands from what a real desk makes possible, and applies them.

    Args:
        config: The desk configuration (or its :class:`~csflow.testing.vocabulary.Vocabulary`,
            to draw names the configuration does not mention).
        start: The first instant (aware); the commands' instants are in its zone.
        refusals: The share of steps (0 to 1) that draw any command with arbitrary arguments,
            most of which the desk refuses; rounded to whole percent (0.004 draws none).
        check_refusals: Check that a refused command changed nothing (the desk's snapshot is
            the same before and after), raising :class:`~csflow.errors.InvariantError`.

    Raises:
        ConfigError: *start* is not an aware datetime, *refusals* not a number from 0 to 1,
            or *config* not a configuration.

    Attributes:
        desk: The desk the commands run on.
        vocabulary: The names drawn.
        now: The instant of the last command (set it to move time on, never back).
    """

    def __init__(
        self,
        config: DeskConfig | Vocabulary,
        *,
        start: datetime = datetime(2026, 3, 2, 9, tzinfo=UTC),
        refusals: float = 0.1,
        check_refusals: bool = False,
    ) -> None:
        instant_us(start, "start", ConfigError)
        if (
            not isinstance(refusals, (int, float))
            or isinstance(refusals, bool)
            or not 0 <= refusals <= 1
        ):
            raise ConfigError(f"must be a number from 0 to 1, got {show(refusals)}", "refusals")
        self.check_refusals = check_refusals
        self.vocabulary = config if isinstance(config, Vocabulary) else Vocabulary.of(config)
        self.desk = Desk(self.vocabulary.config)
        # Time is kept in UTC (`_t`): Python adds a timedelta to, and compares, datetimes of
        # one zone by their wall clocks, which in a DST zone goes back in time.  The commands'
        # instants are `_t` in the start's zone (`now`).
        self._zone = start.tzinfo
        self._t = start.astimezone(UTC)
        self._now = start
        self.refusals = refusals
        self._agents = 0
        self._tickets = 0
        self._dst: list[datetime] = sorted(
            t for cal in self.vocabulary.calendars for t in dst_changes(cal, self._t)
        )
        # What the desk's views do not show, kept from the events of the commands applied:
        # each ticket's resolutions, the last one rated, the goodwill it has received, and the
        # ticket of each goodwill request awaiting a supervisor.
        self._resolutions: dict[str, int] = {}
        self._rated: dict[str, int] = {}
        self._granted: dict[str, Decimal] = {}
        self._requests: dict[str, str] = {}

    @property
    def now(self) -> datetime:
        """The instant of the last command, in the start's zone.

        Set it to move time on before the next step (an aware instant, in any zone); the
        next step's time step starts from there.

        Raises:
            ConfigError: The new value is not an aware datetime.
            InvalidTransitionError: It is earlier than the desk's last instant (every
                command drawn from it would be refused: time does not go backwards).  A
                refused value leaves the driver where it was.
        """
        return self._now

    @now.setter
    def now(self, value: datetime) -> None:
        us = instant_us(value, "now", ConfigError)
        last = self.desk.now
        if last is not None and us < to_us(last):
            raise InvalidTransitionError(
                f"now must not be earlier than the desk's last instant {last.isoformat()}: "
                f"time does not go backwards; got {value!r}"
            )
        self._t = value.astimezone(UTC)
        self._now = self._t.astimezone(self._zone)

    # -- what is possible now ----------------------------------------------------------------

    def _views(self, states: object) -> list[TicketView]:
        out = []
        for tid in self.desk.tickets():
            v = self.desk.ticket(tid)
            if v.state in states:  # type: ignore[operator]
                out.append(v)
        return out

    def _ticket_targets(self, kind: str) -> list[TicketView]:
        if kind == "set_sla_policy":
            # Allowed where a priority change is; the state does not change.
            return self._views(LIFECYCLE["set_priority"]) if self.desk.config.sla_policies else []
        if kind == "record_feedback":
            return [
                v
                for v in self._views(("solved", "closed"))
                if self._resolutions.get(v.ticket.id, 0) > self._rated.get(v.ticket.id, 0)
            ]
        if kind == "forget":
            # The desk forgets no ticket with a goodwill request awaiting a supervisor.
            asked = {self._requests.get(r) for r in self.desk.goodwill_requests()}
            return [v for v in self._views(("closed", "abandoned")) if v.ticket.id not in asked]
        if kind in ("reply", "resolve"):
            return [v for v in self._views(_WORKING) if v.agent_id is not None]
        if kind == "requeue":
            # Given back by the agent holding it: call-backs whose customer did not pick up,
            # when the agents hold any (any held ticket otherwise).
            held = [v for v in self._views(LIFECYCLE["requeue"]) if v.agent_id is not None]
            return [v for v in held if v.callback] or held
        if kind == "request_callback":
            return [v for v in self._views(("queued",)) if not v.callback]
        if kind == "set_status":
            allowed = {s for k, m in LIFECYCLE.items() if k.startswith("set_status") for s in m}
            return self._views(allowed)
        if kind == "escalate":
            return [
                v
                for v in self._views(LIFECYCLE["escalate"])
                if self._may_hand_over(v) and self._escalations(v)
            ]
        if kind == "transfer":
            return [
                v
                for v in self._views(LIFECYCLE["transfer"])
                if self._may_hand_over(v) and self._transfers(v)
            ]
        return self._views(LIFECYCLE[kind])

    def _may_hand_over(self, v: TicketView) -> bool:
        # A transfer policy that refuses hand-overs past its limit would refuse one more.
        policy = self.desk.config.transfers
        limit = policy.max_transfers
        return policy.on_limit != "refuse" or limit is None or v.transfers < limit

    def _escalations(self, v: TicketView) -> list[str]:
        graph = self.desk.config.escalation
        teams = sorted(self.desk.config.teams)
        src = v.team if v.team is not None or graph is None else graph.entry[0]
        if graph is not None and src is not None:
            # A team the graph leaves out (reached by transfer only) escalates to no team.
            return list(graph.targets(src)) if src in graph.teams else []
        return [t for t in teams if t != src]

    def possible(self, kind: str) -> bool:
        """Whether the desk can accept a command of *kind* now.

        Args:
            kind: One of :data:`COMMAND_KINDS`.

        Returns:
            True when some command of that kind would be drawn from the desk's state; never
            for a kind the configuration rules out (``set_sla_policy`` without SLA policies,
            the goodwill commands without a goodwill policy).
        """
        if kind in ("submit", "advance"):
            return True
        if kind == "add_agent":
            return self._agents < _MAX_AGENTS
        if kind in ("set_presence", "update_agent", "remove_agent"):
            return any(True for _ in self.desk.agents())
        if kind == "grant_goodwill":
            return bool(self._grants()[1])
        if kind in ("approve_goodwill", "decline_goodwill"):
            return bool(self.desk.goodwill_requests())
        return bool(self._ticket_targets(kind))

    def _grants(self) -> tuple[dict[str, tuple[Decimal, Decimal]], dict[str, Decimal | None]]:
        # Who may grant goodwill now and on which tickets: each agent with what is left of its
        # allowance in the period of `now` and the allowance's size, each ticket with what its
        # tier's limit still lets it receive (None: no limit).  Under over_limit="refuse" only
        # those with at least one unit of room; without a goodwill policy, nobody.
        policy = self.desk.config.goodwill
        tickets = list(self.desk.tickets())
        if policy is None or not tickets:
            return {}, {}
        spent: dict[str, Decimal] = {}
        last = self.desk.now
        if last is not None and period_key(last, policy.period, policy.zone) == period_key(
            self.now, policy.period, policy.zone
        ):
            # The balances are those of the desk's last instant: still current in its period.
            spent = {b: used for b, (used, _) in self.desk.goodwill_balances().items()}
        agents: dict[str, tuple[Decimal, Decimal]] = {}
        for aid in self.desk.agents():
            budget, size = policy.budget_of(aid, self.desk.agent(aid).profile.teams)
            agents[aid] = (size - spent.get(budget, Decimal(0)), size)
        room: dict[str, Decimal | None] = {}
        for tid in tickets:
            limit = policy.ticket_limit(self.desk.ticket(tid).ticket.customer.tier.name)
            room[tid] = None if limit is None else limit - self._granted.get(tid, Decimal(0))
        if policy.over_limit == "refuse":
            unit = Decimal(1).scaleb(-policy.decimals)
            agents = {a: v for a, v in agents.items() if v[0] >= unit}
            room = {t: r for t, r in room.items() if r is None or r >= unit}
        if not agents or not room:
            return {}, {}
        return agents, room

    # -- time ----------------------------------------------------------------------------------

    def _boundary(self) -> datetime | None:
        # The next opening or closing of a calendar that has hours, exactly (in UTC): step an
        # hour at a time, then bisect to the microsecond (the public calendar API answers
        # is_open and next_open, which gives an opening outright).
        hour = 3_600_000_000
        start = to_us(self._t)
        for cal in self.vocabulary.calendars:
            state = cal.is_open_us(start)
            t = start
            for _ in range(8 * 24):
                nxt = t + hour
                if cal.is_open_us(nxt) != state:
                    if not state:
                        return utc(cal.next_open_us(t + 1))
                    lo, hi = t, nxt  # open at lo, closed at hi
                    while hi - lo > 1:
                        mid = (lo + hi) // 2
                        lo, hi = (mid, hi) if cal.is_open_us(mid) else (lo, mid)
                    return utc(hi)
                t = nxt
        return None

    def _local(self, days: int, hour: int) -> datetime:
        zone = self.vocabulary.calendars[0].zone if self.vocabulary.calendars else UTC
        day = self._t.astimezone(zone).date() + timedelta(days=days)
        return datetime.combine(day, time(hour), zone).astimezone(UTC)

    def _time_step(self, draw: Draw) -> datetime:
        # The next instant, in UTC (every sum and comparison here is of UTC instants).
        how = draw(
            st.sampled_from(
                ["same", "seconds", "seconds", "minutes", "wakeup", "boundary", "night", "week"]
                + ["dst"] * bool(self._dst)
            )
        )
        now = self._t
        if how == "seconds":
            return now + timedelta(seconds=draw(st.integers(1, 120)))
        if how == "minutes":
            return now + timedelta(minutes=draw(st.integers(2, 90)))
        if how == "wakeup":
            wake = self.desk.next_wakeup()
            return max(now, wake.astimezone(UTC)) if wake is not None else now
        if how == "boundary":
            edge = self._boundary()
            if edge is None:
                return now
            # On the edge (as shrunk), or a microsecond either side of it.
            return max(now, edge + timedelta(microseconds=draw(st.sampled_from([0, -1, 1]))))
        if how == "night":
            return max(now, self._local(1, draw(st.integers(7, 10))))
        if how == "week":
            local = now.astimezone(self._local(0, 0).tzinfo or UTC)
            to_saturday = (5 - local.weekday()) % 7 or 7
            days = to_saturday + draw(st.sampled_from([0, 2]))  # Saturday or Monday
            return max(now, self._local(days, draw(st.integers(8, 10))))
        if how == "dst":
            ahead = [t for t in self._dst if t > now]
            if ahead:
                return max(now, ahead[0] + timedelta(minutes=draw(st.integers(-90, 90))))
        return now

    # -- drawing commands ----------------------------------------------------------------------

    def _new_agent(self, draw: Draw) -> AgentProfile:
        voc = self.vocabulary
        aid = f"a{self._agents}"
        waiting = self.desk.queue()
        if waiting:
            # An agent who can take a waiting ticket: its channel, language and skills, and a
            # team whose routing profile serves its queue.
            e = draw(st.sampled_from(waiting[:3]))
            sig = e.signature
            langs = {sig.language} if sig.language else set()
            langs |= set(draw(st.sets(st.sampled_from(voc.languages), max_size=2)))
            skills = {r.skill: draw(st.integers(r.min_proficiency, 5)) for r in sig.skills}
            extra = draw(st.sets(st.sampled_from(voc.channels), max_size=2))
            return AgentProfile(
                aid,
                skills=skills,
                languages=langs,
                capacity={c: draw(st.integers(1, 4)) for c in sorted({sig.channel, *extra})},
                teams=self._teams_serving(self.desk.ticket(e.ticket_id).queue)[:1],
            )
        skills = (
            draw(st.dictionaries(st.sampled_from(voc.skills), st.integers(1, 5), max_size=3))
            if voc.skills
            else {}
        )
        teams = draw(st.sets(st.sampled_from(voc.teams), max_size=1)) if voc.teams else set()
        # Most agents speak every language and serve every channel, so most tickets find
        # someone; the others make eligibility matter.
        broad = draw(st.integers(0, 3)) < 3
        languages = (
            set(voc.languages)
            if broad
            else draw(st.sets(st.sampled_from(voc.languages), min_size=1))
        )
        channels = (
            voc.channels
            if broad
            else draw(st.sets(st.sampled_from(voc.channels), min_size=1, max_size=4))
        )
        return AgentProfile(
            aid,
            skills=skills,
            languages=languages,
            capacity={c: draw(st.integers(1, 4)) for c in sorted(channels)},
            teams=teams,
        )

    def _routing_profile(self, draw: Draw, profile: AgentProfile) -> dict[str, Any]:
        # Now and then an agent is put under a routing profile by name (the keyword argument
        # of add_agent and update_agent), not the one its first team's would give it: a
        # specialist lent to another queue, say.  Only when there is a choice to make.
        names = [p.name for p in self.desk.config.routing_profiles]
        if len(names) < 2 or draw(st.integers(0, 2)) < 2:
            return {}
        return {"routing_profile": draw(st.sampled_from(names))}

    def _teams_serving(self, queue: str) -> list[str]:
        config = self.desk.config
        profiles = {p.name: {s.queue for s in p.queues} for p in config.routing_profiles}
        return [
            name
            for name, spec in sorted(config.teams.items())
            if spec.routing_profile is not None and queue in profiles.get(spec.routing_profile, ())
        ]

    def _new_ticket(self, draw: Draw) -> Ticket:
        voc = self.vocabulary
        tid = f"t{self._tickets}"
        agents = list(self.desk.agents())
        pref = draw(st.sampled_from([None, None, None, *agents[:3]]))
        customer = Customer(
            draw(st.sampled_from(_CUSTOMERS)),
            draw(st.sampled_from(voc.tiers[::-1])),  # as shrunk, the lowest tier
            draw(st.sampled_from([*voc.languages, None])),
            pref,
        )
        skills: dict[str, int] = {}
        if voc.skills and draw(st.integers(0, 3)) == 3:
            skills[draw(st.sampled_from(voc.skills))] = draw(st.integers(1, 3))
        # Sometimes written in another language than the customer's.
        others = [lang for lang in voc.languages if lang != customer.language]
        language = (
            draw(st.sampled_from(others)) if others and draw(st.integers(0, 7)) == 7 else None
        )
        # The attribute values the rules compare, each sometimes.
        attributes = {
            key: draw(st.sampled_from(values))
            for key, values in voc.attributes.items()
            if draw(st.booleans())
        }
        return Ticket(
            tid,
            customer,
            draw(st.sampled_from(voc.channels)),
            self.now,
            priority=draw(st.sampled_from(list(Priority))),
            category=draw(st.sampled_from(voc.categories)),
            required_skills=skills,
            language=language,
            attributes=attributes,
        )

    def _draw_possible(self, draw: Draw, kind: str) -> list[Command]:
        now, desk = self.now, self.desk
        if kind == "submit":
            ticket = self._new_ticket(draw)
            self._tickets += 1
            return [Command("submit", now, (ticket,))]
        if kind == "add_agent":
            profile = self._new_agent(draw)
            self._agents += 1
            kwargs = self._routing_profile(draw, profile)
            if draw(st.integers(0, 9)) < 9:  # agents come online (most of them at once)
                if draw(st.integers(0, 3)) == 3:  # logging in available (presence=)
                    kwargs["presence"] = "available"
                    return [Command("add_agent", now, (profile,), kwargs)]
                return [
                    Command("add_agent", now, (profile,), kwargs),
                    Command("set_presence", now, (profile.id, "available")),
                ]
            return [Command("add_agent", now, (profile,), kwargs)]
        if kind == "advance":
            return [Command("advance", now)]
        if kind == "update_agent":
            # Trained on a skill, moved to other channels, lent to another team: a profile
            # drawn as a new agent's is, with room at least for the tickets the agent holds.
            aid = draw(st.sampled_from(list(desk.agents())))
            drawn = self._new_agent(draw)
            capacity: dict[Channel | str, int] = dict(drawn.capacity.items())
            for channel, n in desk.agent(aid).counts.items():
                capacity[channel] = max(drawn.capacity.get(channel, 0), n)
            profile = attrs.evolve(drawn, id=aid, capacity=capacity)
            return [Command("update_agent", now, (profile,), self._routing_profile(draw, profile))]
        if kind in ("set_presence", "remove_agent"):
            resting = [a for a in desk.agents() if not desk.agent(a).routable]
            # Work waits: someone comes back (most of the time).
            comes_back = kind == "set_presence" and resting and desk.waiting_count()
            if comes_back and draw(st.integers(0, 3)) < 3:
                return [Command(kind, now, (draw(st.sampled_from(resting)), "available"))]
            aid = draw(st.sampled_from(list(desk.agents())))
            if kind == "remove_agent":
                return [Command(kind, now, (aid,))]
            if not desk.agent(aid).routable and draw(st.integers(0, 3)) < 3:
                return [Command(kind, now, (aid, "available"))]
            return [Command(kind, now, (aid, draw(st.sampled_from(self.vocabulary.presence))))]
        if kind == "grant_goodwill":
            return [self._draw_grant(draw)]
        if kind in ("approve_goodwill", "decline_goodwill"):
            rid = draw(st.sampled_from(desk.goodwill_requests()))
            return [Command(kind, now, (rid, draw(st.sampled_from(_SUPERVISORS))))]
        v: TicketView = draw(st.sampled_from(self._ticket_targets(kind)))
        tid = v.ticket.id
        if kind == "set_sla_policy":
            names = sorted(desk.config.sla_policies)
            return [Command(kind, now, (tid, draw(st.sampled_from(names))))]
        if kind == "record_feedback":
            comment = draw(st.text(max_size=40)) if draw(st.booleans()) else ""
            return [Command(kind, now, (tid, draw(st.integers(1, 5)), comment))]
        if kind in ("reply", "resolve", "requeue"):
            return [Command(kind, now, (tid, v.agent_id))]
        if kind == "set_status":
            statuses = [s for s in _STATUSES if v.state in LIFECYCLE[f"set_status:{s}"]]
            return [Command(kind, now, (tid, draw(st.sampled_from(statuses))))]
        if kind == "set_priority":
            return [Command(kind, now, (tid, draw(st.sampled_from(list(Priority))).name.lower()))]
        if kind == "escalate":
            return [Command(kind, now, (tid, draw(st.sampled_from(self._escalations(v)))))]
        if kind == "transfer":
            return [Command(kind, now, (tid, draw(st.sampled_from(self._transfers(v)))))]
        return [Command(kind, now, (tid,))]

    def _draw_grant(self, draw: Draw) -> Command:
        # A grant within what is left of the agent's allowance and of the ticket's limit, or
        # (over_limit="approval") above one of them: a request for a supervisor.
        policy = self.desk.config.goodwill
        assert policy is not None  # grant_goodwill is possible
        agents, room = self._grants()
        tid = draw(st.sampled_from(list(room)))
        owner = self.desk.ticket(tid).agent_id
        # Most often the agent who has the ticket grants it.
        if owner in agents and draw(st.integers(0, 3)) < 3:
            aid = owner
        else:
            aid = draw(st.sampled_from(list(agents)))
        left, size = agents[aid]
        limit = room[tid]
        unit = Decimal(1).scaleb(-policy.decimals)
        cap = left if limit is None else min(left, limit)
        fits = max(0, int(cap / unit))  # whole units that fit (none past an approved excess)
        most = int(MAX_AMOUNT / unit) - 1  # amounts are below MAX_AMOUNT
        can_ask = policy.over_limit == "approval" and fits < most
        if fits and (not can_ask or not draw(st.booleans())):  # within, as shrunk
            units = draw(st.integers(1, min(fits, most)))
        else:
            span = max(fits, int(size / unit), 1)
            units = draw(st.integers(fits + 1, min(fits + span, most)))
        amount: Decimal | str = Decimal(units).scaleb(-policy.decimals)
        if draw(st.booleans()):
            amount = str(amount)  # the plain-data form a host reads from a request
        reason = draw(st.sampled_from(_REASONS))
        return Command("grant_goodwill", self.now, (tid, aid, amount, reason))

    def _transfers(self, v: TicketView) -> list[str]:
        # Another team, or an agent who could take the ticket now: routable, eligible, with
        # room.  A waiting call-back is a phone call (as the desk sees it).
        # (Not to a team whose queue a waiting ticket is in already: the desk refuses that.)
        config = self.desk.config
        teams = [
            t
            for t in sorted(config.teams)
            if t != v.team and not (v.state == "queued" and config.teams[t].queue == v.queue)
        ]
        sig = Signature.of(v.ticket)
        if v.state == "queued" and v.callback:
            sig = sig.on_channel(Channel.PHONE.name)
        agents = []
        for a in self.desk.agents():
            status = self.desk.agent(a)
            if (
                a != v.agent_id
                and status.routable
                and sig.admits(status.profile)
                and can_take(self.desk, a, sig.channel)
            ):
                agents.append(a)
        return [*teams, *agents[:2]]

    def _draw_refused(self, draw: Draw, kind: str) -> list[Command]:
        # Arbitrary arguments: known and unknown ids, any status, any team.  Most are refused.
        now = self.now
        tids = [*self.desk.tickets(), "t-unknown"]
        aids = [*self.desk.agents(), "nobody"]
        tid = draw(st.sampled_from(tids))
        aid = draw(st.sampled_from(aids))
        if kind == "submit":
            ticket = self._new_ticket(draw)
            return [Command(kind, now, (attrs.evolve(ticket, id=tid),))]
        if kind in ("add_agent", "update_agent"):
            # add_agent: maybe a known id; update_agent: maybe unknown, maybe below the
            # agent's load; either maybe under a routing profile the desk does not have.
            profiles = [p.name for p in self.desk.config.routing_profiles]
            kwargs = {}
            if draw(st.integers(0, 3)) == 3:
                kwargs["routing_profile"] = draw(st.sampled_from([*profiles[:1], "nowhere"]))
            return [Command(kind, now, (AgentProfile(aid, capacity={"chat": 1}),), kwargs)]
        if kind == "advance":
            return [Command(kind, now)]
        if kind == "remove_agent":
            return [Command(kind, now, (aid,))]
        if kind == "set_presence":
            state = draw(st.sampled_from([*self.vocabulary.presence, "gone"]))
            return [Command(kind, now, (aid, state))]
        if kind in ("reply", "resolve", "requeue"):  # often another agent's ticket, or none
            return [Command(kind, now, (tid, aid))]
        if kind == "set_status":
            return [Command(kind, now, (tid, draw(st.sampled_from([*_STATUSES, "solved"]))))]
        if kind == "set_priority":
            return [Command(kind, now, (tid, draw(st.sampled_from(["high", "low", "asap"]))))]
        if kind in ("transfer", "escalate"):
            teams = [*sorted(self.desk.config.teams), "nowhere"]
            to = draw(st.sampled_from(teams + ([aid] if kind == "transfer" else [])))
            return [Command(kind, now, (tid, to))]
        if kind == "set_sla_policy":
            policy = draw(st.sampled_from([*sorted(self.desk.config.sla_policies), "nowhere"]))
            return [Command(kind, now, (tid, policy))]
        if kind == "record_feedback":
            rating = draw(st.sampled_from([0, 1, 5, 6, True, "5"]))
            comment = draw(st.sampled_from(["", "ok", "x" * 2001, None]))
            return [Command(kind, now, (tid, rating, comment))]
        if kind == "grant_goodwill":
            amount = draw(st.sampled_from(["25000", 1, "0", "-1", 0.5, "1.1234567", "abc"]))
            reason = draw(st.sampled_from([*_REASONS[:1], "", "x" * 201]))
            return [Command(kind, now, (tid, aid, amount, reason))]
        if kind in ("approve_goodwill", "decline_goodwill"):
            rid = draw(st.sampled_from([*self.desk.goodwill_requests(), f"{tid}/goodwill/0"]))
            supervisor = draw(st.sampled_from([*_SUPERVISORS[:1], ""]))
            return [Command(kind, now, (rid, supervisor))]
        return [Command(kind, now, (tid,))]

    def draw_kind(self, draw: Draw) -> str:
        """Draw a command kind among those possible now, by weight.

        Args:
            draw: A Hypothesis draw function.

        Returns:
            One of :data:`COMMAND_KINDS`.
        """
        choices: list[str] = []
        routable = sum(self.desk.agent(a).routable for a in self.desk.agents())
        for kind in COMMAND_KINDS:
            if self.possible(kind):
                weight = _WEIGHTS[kind]
                if kind in ("reply", "resolve"):
                    # The more tickets are with agents, the more often they are worked on, so
                    # tickets travel their whole life within a short program.
                    weight += (3 if kind == "reply" else 5) * len(self._ticket_targets(kind))
                if kind == "requeue":
                    # A call-back whose customer did not pick up is given back soon: the more
                    # the agents hold, the more often (a held ticket of another kind, rarely).
                    calls = sum(v.callback for v in self._ticket_targets(kind))
                    weight += 16 * min(calls, 2)
                if kind == "set_presence" and self.desk.waiting_count():
                    weight += 2 if routable else 10
                if kind in ("approve_goodwill", "decline_goodwill"):
                    # A supervisor answers soon: the more requests wait, the sooner.
                    weight += 2 * min(len(self.desk.goodwill_requests()), 3)
                if kind == "abandon" and self.desk.waiting_count() > 2:
                    weight = 4  # customers give up when the line is long
                if kind == "submit" and self.desk.waiting_count() > 2:
                    weight = 2  # a long line: let the agents catch up
                if kind == "add_agent":
                    # Waiting work calls for staff (the new agent is drawn to take it).
                    weight += 6 * min(self.desk.waiting_count(), 3)
                    if not self._agents:
                        weight += 20  # a desk opens with its agents logging in
                choices += [kind] * weight
        chosen: str = draw(st.sampled_from(choices))
        return chosen

    def step(
        self, draw: Draw, kind: str | None = None, *, refused: bool | None = None
    ) -> list[Step]:
        """Move time forward, draw one command (of *kind*, when given) and apply it.

        Args:
            draw: A Hypothesis draw function (``draw`` of a composite, ``data.draw``).
            kind: The command kind; drawn among the possible ones when ``None``.
            refused: Draw arbitrary arguments (most such commands are refused); drawn with
                probability *refusals* when ``None``.

        Returns:
            What ran: an ``advance`` first when a timer was due, then the command (two for an
            agent who joins and comes online).
        """
        if refused is None:
            # Refused for the top values, so that shrinking (towards 0) goes to a command
            # drawn from what the desk makes possible.
            share = round(self.refusals * 100)
            refused = share > 0 and draw(st.integers(0, 99)) >= 100 - share
        self._t = self._time_step(draw)
        self._now = self._t.astimezone(self._zone)
        out: list[Step] = []
        wake = self.desk.next_wakeup()
        if wake is not None and wake.astimezone(UTC) <= self._t:
            out.append(self.apply(Command("advance", self.now)))
        if refused:
            kind = kind or draw(st.sampled_from(COMMAND_KINDS))
            cmds = self._draw_refused(draw, kind)
        else:
            if kind is None or not self.possible(kind):
                kind = self.draw_kind(draw)
            cmds = self._draw_possible(draw, kind)
        out += [self.apply(c, refusal=refused) for c in cmds]
        return out

    def apply(self, command: Command, *, refusal: bool = False) -> Step:
        """Apply *command* to the desk.

        Args:
            command: The command.
            refusal: It was drawn to exercise refusals (recorded in :attr:`Step.refusal`).

        Returns:
            The step: its events, or the error that refused it -- a
            :class:`~csflow.errors.CsflowError`, or whatever else a host policy raised
            through the desk (kept in :attr:`Step.error`, so that the step can be named;
            :class:`~csflow.testing.machine.DeskMachine` fails on it).

        Raises:
            InvariantError: *check_refusals* is on and a refused command changed the desk
                (chained to the error).
        """
        before = self.desk.snapshot() if self.check_refusals else None
        try:
            events = tuple(command.apply(self.desk))
        except Exception as exc:  # a policy's own exception too: the step says which command
            if before is not None and self.desk.snapshot() != before:
                raise InvariantError(
                    f"refused command {command!r} changed the desk (it raised "
                    f"{type(exc).__name__}: {exc})"
                ) from exc
            return Step(command, (), exc, refusal=refusal)
        self._track(command, events)
        return Step(command, events, refusal=refusal)

    def _track(self, command: Command, events: tuple[Event, ...]) -> None:
        # Keep what the views do not show (see __init__) from an accepted command's events.
        if command.name == "forget":
            tid = command.args[0]
            self._resolutions.pop(tid, None)
            self._rated.pop(tid, None)
            self._granted.pop(tid, None)
        for e in events:
            if isinstance(e, TicketResolved):
                self._resolutions[e.ticket_id] = self._resolutions.get(e.ticket_id, 0) + 1
            elif isinstance(e, FeedbackRecorded):
                self._rated[e.ticket_id] = e.cycle
            elif isinstance(e, GoodwillGranted):
                self._granted[e.ticket_id] = self._granted.get(e.ticket_id, Decimal(0)) + e.amount
                if e.request_id is not None:
                    self._requests.pop(e.request_id, None)
            elif isinstance(e, GoodwillRequested):
                self._requests[e.request_id] = e.ticket_id
            elif isinstance(e, GoodwillDeclined):
                self._requests.pop(e.request_id, None)


@st.composite
def commands(
    draw: st.DrawFn,
    config: DeskConfig | Vocabulary | None = None,
    *,
    start: datetime = datetime(2026, 3, 2, 9, tzinfo=UTC),
    min_size: int = 1,
    max_size: int = 50,
    refusals: float = 0.1,
) -> list[Command]:
    """Command programs for a desk of *config*, drawn from what the desk makes possible.

    Agents with the configuration's skills, languages and teams join and come online; tickets
    arrive with its tiers, channels, languages and categories; replies and resolutions come
    from the agent who has the ticket, escalations follow the graph, reopens find solved
    tickets, agents give back the call-backs whose customer did not pick up (``requeue``),
    customers rate resolutions, agents grant goodwill within their allowances (or beyond, for a
    supervisor to answer), tickets change SLA policy; time crosses business-hour boundaries,
    nights, weekends and DST changes.  A share *refusals* of the steps draws
    arbitrary commands, most of which the desk refuses.

    The program is drawn against a real desk, so it is only meaningful for *config*: replay it
    on a desk built from the same configuration.

    Args:
        draw: Supplied by Hypothesis.
        config: The desk configuration, or a
            :class:`~csflow.testing.vocabulary.Vocabulary` of it with more names; default an
            empty :class:`~csflow.desk.DeskConfig`.
        start: The first instant.
        min_size: The fewest steps.
        max_size: The most steps (an agent who joins and comes online, or an ``advance``
            before a command when a timer is due, count as one step).
        refusals: The share of steps (0 to 1) drawn with arbitrary arguments, rounded to
            whole percent (0.004 draws none).

    Returns:
        The commands, in time order, accepted and refused alike -- a command on which a host
        policy raised its own exception (not a :class:`~csflow.errors.CsflowError`) included:
        applying the program raises it again, at that command.
    """
    driver = CommandDriver(config or DeskConfig(), start=start, refusals=refusals)
    out: list[Command] = []
    for _ in range(draw(st.integers(min_size, max_size))):
        out += [s.command for s in driver.step(draw)]
    return out
