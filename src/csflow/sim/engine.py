"""The simulator's run loop: a discrete-event simulation that drives a real desk.

The simulator is one more host of the desk: it owns a simulated clock and seeded
:class:`random.Random` streams, feeds the desk the commands a real helpdesk would (customers write,
agents log in and take breaks, agents reply, resolve and escalate, customers give up) and
folds the events the desk returns into a :class:`csflow.metrics.Summarizer` as they come (the
report is what :func:`csflow.metrics.summarize` over the event stream gives).  It reads no
clock and no global random state, so the same configuration and seed give the same report on
every machine.

Memory stays proportional to the open work, not to the length of the run: nothing reopens a
simulated ticket, so a resolved ticket is closed and forgotten at once (``desk.close``,
``desk.forget``), an abandoned one forgotten, and the simulator drops its own notes on it.
The open work itself is bounded: a run in which ``MAX_SIM_OPEN`` (a million) tickets are open
at once stops with a :class:`~csflow.errors.ConfigError` at path ``agents`` -- the staffing
cannot keep up -- rather than fill memory (see :mod:`csflow.sim.scenario` for the bounds a
configuration is held to when it is built).

Theory of operation
-------------------
Time is kept in integer microseconds since the epoch.  The simulator's own future happenings
(the next arrival, a handling that ends, a customer's patience running out, a shift or a break
that starts or ends) wait in one heap ordered by ``(instant, counter)``, so ties are FIFO and
deterministic.  Each agent's presence is planned once per group and wave of breaks (see
``_presence_plan``: one change an instant, the state the instant's last change leaves, so an
agent whose break runs to its shift's end is away until the end, then offline, and never
available in between), and only its next change waits in the heap, ahead of anything else due
at the same instant.  Each step takes the earlier of the heap's top and
``desk.next_wakeup()`` (SLA warnings and breaches, relaxation steps, overflow): a desk timer
that is due first is fired with ``desk.advance(at=...)`` at its own instant, before any
command at a later instant.
One more entry waits in the heap from the start: the stop, ``MAX_DRAIN`` (a year) after the
horizon or after the agents' last scheduled shift change, whichever is later.  A run whose
drain would go on longer (a backlog of years, a handle time drawn in months) ends there, so
every instant the run reaches is one ``SimConfig`` checked to lie within the year 9999.

Busy time is kept per reporting interval for the occupancy series as the parts of a
handling in its first and last interval, and a count of the whole intervals between (+1
where they start, -1 where they end, summed up when the series is built), so a handling
costs the same however many intervals it spans; the series stop ``MAX_SIM_INTERVALS``
intervals into the drain.  An agent who goes on a break or off shift finishes what it holds:
that time is kept the same way, as busy time off shift, and counts as available time too (the
agent works then), so occupancy is at most 1 in every interval and overall.

The simulator reacts only to :class:`~csflow.events.TicketAssigned`: the agent replies at once
(the greeting meets the first-response clock) and the handling ends after a handle time drawn
for the ticket's channel, with a resolution -- or, with the probability the configuration gives
for the ticket's category, an escalation to another team, whose agent then handles and resolves
it.  Everything else the desk decides (which ticket, which agent, when a breach happens) comes
from the desk itself.

Arrivals are a Poisson process whose rate is piecewise constant over the day (it repeats every
24 hours) and scaled by a peak-day multiplier.  Across a change of rate the next gap is drawn
again from the change: the exponential distribution forgets the time already waited, so this
is exact, not an approximation.  The walk keeps the day and the period it is in as integers
(whatever a period's start in float seconds rounds to, it moves on) and steps over a stretch
of zero rates at once.  A profile with so many periods of a positive rate that those fresh
draws would number more than ``_MAX_FRESH_DRAWS`` (ten million) over the horizon draws each
gap instead as an exponential amount of the integrated rate, placed by a bisection of the
day's cumulative rate (whole days at once): exact too, and a cost per arrival, not per period
and day.  Each arrival draws its channel, tier, category and language from the configured
mixes, and a patience for its channel: when the patience runs out while the ticket still
waits for its first agent, the customer abandons (``desk.abandon``).

Call-back offers (:attr:`SimConfig.callbacks`, a :class:`~csflow.sim.scenario.CallbackOffer`)
add one more kind of heap entry.  A customer of an offered channel who would accept the offer
(a draw at its arrival) gets an entry at ``arrival + after``, pushed before its patience's
(so an offer and a patience that end at one instant make the offer first); when it comes and
the ticket still waits for its first agent, the simulator calls ``desk.request_callback``
and drops the ticket from the tickets waiting for their first agent, so that its patience's
entry finds nothing to do (the customer hung up to wait for the call; the desk keeps the
ticket's place and routes it on the phone channel).  A customer who would decline gets no
entry and keeps its patience.  A run without an offer pushes no such entry and takes no
such draw: its loop is the same.  The call-backs requested are counted
(:attr:`SimResult.callbacks`), and, for those an agent reached, the time from the request
to the agent (read from the :class:`~csflow.events.CallbackDue` that follows the
assignment), both for the report's tickets (warm-up tickets left out).

Common random numbers
---------------------
Two runs with the same seed see the same customers, whatever their staffing or policies, so
a comparison of two variants measures the variants and not the luck of the draw.  The seed
feeds a master generator that seeds one stream per source of randomness: the *arrivals*
(instants, channel, tier, category, language), the *handle times*, the *patience* and the
*routing* draws (escalations: a stream for each rule, named by its category and team, so that
adding, removing or changing a rule leaves the other rules' draws alone, and a rule of
probability 0 changes nothing).  Each customer's first handle time, patience and escalation
draws are taken at its arrival, in arrival order, whether or not they are used: the desk's
decisions (who waits, who is served first) change which draws matter, never which customer
gets which.  A ticket handled again (after an escalation, or when its agent left) draws from a
fifth stream, *rehandle*, so that the first handle times stay aligned.  With call-backs
offered, a sixth source, *callback*, seeded after the five others (so they and every run
without an offer are unchanged), gives each customer of an offered channel, at its arrival,
the uniform that decides whether it would accept, whether or not it is still waiting when
the offer comes: from a stream for each offered channel, named by the channel, so that
offering one more channel (or one fewer) leaves the other channels' customers with the
draws they had.

Nor does the order a document lists its mappings' keys in change a run.  A mix (channels,
tiers, categories, languages) is read in the sorted order of its names, whatever order it
lists them in, so ``{"chat": 3, "email": 1}`` and ``{"email": 1, "chat": 3}`` give each
customer the same channel; handle times, patience, an agent group's capacity and skills, and
the desk's own mappings are looked up by name.  Two :class:`~csflow.sim.Scenario` that
compare equal (their data equal as mappings) give the same result.
"""

from __future__ import annotations

import bisect
import heapq
import inspect
import itertools
import math
import random
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, Final

import attrs

from csflow._text import show
from csflow._time import duration_us, instant_us, to_us, utc
from csflow.desk import Desk, DeskConfig
from csflow.errors import ConfigError, InvalidTransitionError
from csflow.events import CallbackDue, Event, TicketAssigned
from csflow.metrics import Summarizer
from csflow.model import Tier
from csflow.sim.arrivals import Arrivals
from csflow.sim.result import SimResult, SlaInterval
from csflow.sim.scenario import (
    MAX_DRAIN,
    MAX_SIM_INTERVALS,
    MAX_SIM_OPEN,
    AgentGroup,
    Scenario,
    SimConfig,
    check_seed,
)
from csflow.sla import Metric, SlaBreached, SlaMet

__all__ = ["run_scenario", "simulate"]

_Progress = Callable[[float], None] | Callable[[float, int], None]
"""A progress callback: ``f(fraction)``, or ``f(fraction, customers)`` to be told the customers
simulated so far too (a callback that takes two positional arguments gets both)."""


def _two_arguments(progress: Callable[..., None]) -> bool:
    """Whether *progress* takes a second positional argument (the customers so far)."""
    try:
        params = inspect.signature(progress).parameters.values()
    except (TypeError, ValueError):  # no signature to read: the one-argument form
        return False
    positional = 0
    for p in params:
        if p.kind is p.VAR_POSITIONAL:
            return True
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            positional += 1
    return positional >= 2


_DAY_S: Final = 86_400.0


_US: Final = 1_000_000


_MAX_DRAIN_US: Final = MAX_DRAIN // timedelta(microseconds=1)

# The most fresh draws at changes to a positive rate that the arrival walk takes over a run
# (periods with a positive rate times days of the horizon): about a microsecond each, so a
# few seconds at most.  A profile past it draws each gap against the integrated rate (see
# `schedule_arrival`).
_MAX_FRESH_DRAWS: Final = 10_000_000


class _Picker:
    """Draws a name from a mix with one ``random()`` call and a bisection.

    The names are laid out in sorted order, not in the order the mix lists them: a mix is a
    mapping, and ``{"chat": 3, "email": 1}`` and ``{"email": 1, "chat": 3}`` (one document
    written, or re-saved, with its keys in another order) are one traffic, so they give each
    customer the same channel."""

    __slots__ = ("cum", "names", "total")

    def __init__(self, mix: Sequence[tuple[str, float]]) -> None:
        entries = sorted((n, w) for n, w in mix if w > 0)
        self.names = [n for n, _ in entries]
        self.cum = list(itertools.accumulate(w for _, w in entries))
        self.total = self.cum[-1]

    def pick(self, rng: random.Random) -> str:
        if len(self.names) == 1:
            return self.names[0]
        i = bisect.bisect_right(self.cum, rng.random() * self.total)
        return self.names[min(i, len(self.names) - 1)]


_ARRIVE, _DONE, _ABANDON, _PRESENCE, _STOP, _CALLBACK = 0, 1, 2, 3, 4, 5

# An agent's presence states, as the plans keep them, and the desk's names for them.
_OFFLINE, _AVAILABLE, _AWAY = 0, 1, 2
_STATES: Final = ("offline", "available", "away")

# Presence changes wait in the heap under ``agent index - _FIRST``: before every other entry at
# the same instant, and among themselves in the order of the agents.
_FIRST: Final = 1 << 62


def _presence_plan(group: AgentGroup, lag_us: int, start_us: int) -> tuple[list[int], bytes]:
    """One agent's presence over the run: the instants (µs since the epoch) at which it
    changes and the state from each, in time order, one change an instant.

    On a shift the agent is ``away`` while a break lasts (breaks delayed by *lag_us*, cut at
    the shift's end, overlapping ones joined) and ``available`` otherwise; off shift it is
    ``offline``.  Changes at one instant leave the state the instant's last one gives: a break
    from the shift's start keeps the agent away from its first instant, a break to its end
    keeps it away until the shift's end, where it goes offline (the break's end, back to
    ``available``, and the shift's end fall on one instant, and the shift's end is the last),
    and a shift that starts where another ends keeps it on.  A change to the state the agent
    is in already is left out.
    """
    raw: list[tuple[int, int]] = []
    for s in sorted(group.shifts, key=lambda s: s.start):
        s0 = start_us + duration_us(s.start, "start", ConfigError)
        s1 = None if s.end is None else start_us + duration_us(s.end, "end", ConfigError)
        breaks = []
        for b, d in s.breaks:
            b0 = start_us + duration_us(b, "break", ConfigError) + lag_us
            b1 = b0 + duration_us(d, "break", ConfigError)
            if s1 is not None:
                b1 = min(b1, s1)
            if b0 < b1:
                breaks.append((b0, b1))
        raw.append((s0, _AVAILABLE))
        until = None
        for b0, b1 in sorted(breaks):
            if until is not None and b0 <= until:  # overlaps (or touches) the last: join them
                if b1 > until:
                    raw[-1] = (b1, _AVAILABLE)
                    until = b1
                continue
            raw.append((b0, _AWAY))
            raw.append((b1, _AVAILABLE))
            until = b1
        if s1 is not None:
            raw.append((s1, _OFFLINE))
    times: list[int] = []
    states = bytearray()
    for i, (t, state) in enumerate(raw):
        if i + 1 < len(raw) and raw[i + 1][0] == t:
            continue  # the instant's last change decides
        if state == (states[-1] if states else _OFFLINE):
            continue
        times.append(t)
        states.append(state)
    return times, bytes(states)


class _Run:
    """One simulation's mutable state (see the module notes)."""

    def __init__(
        self,
        desk_config: DeskConfig,
        config: SimConfig,
        seed: int,
        progress: _Progress | None,
        on_event: Callable[[Event], None] | None = None,
    ) -> None:
        # The simulation reads the events as they come and never snapshots: no command log or
        # per-ticket history, so memory stays flat over long runs.
        self.desk = Desk(attrs.evolve(desk_config, keep_history=False))
        self.config = config
        self.seed = seed
        # One stream per source of randomness (see "Common random numbers" above).
        master = random.Random(seed)
        self.rng = random.Random(master.getrandbits(128))  # arrivals and their mixes
        self.handle_rng = random.Random(master.getrandbits(128))
        self.patience_rng = random.Random(master.getrandbits(128))
        # The routing draws: one stream per escalation rule, named after the routing source's
        # seed and the rule (its category, team, and how many rules of both came before it),
        # so that a rule added, removed or changed leaves every other rule's draws as they
        # were (common random numbers).
        self.routing_seed = master.getrandbits(128)
        self.rehandle_rng = random.Random(master.getrandbits(128))
        # Call-back offers (see the module notes): the delay, the acceptance, and by offered
        # channel (none without an offer, so an arrival pays one dict lookup) a stream of its
        # own, named after the call-back source's seed (drawn after the others, so that those
        # stay what they were) and the channel, so that a channel added to or dropped from
        # the offer leaves every other channel's draws as they were (common random numbers).
        offer = config.callbacks
        self.offered: dict[str, Callable[[], float]] = {}
        self.offer_us = 0
        self.accept = 0.0
        if offer is not None:
            callback_seed = master.getrandbits(128)
            self.offered = {
                ch: random.Random(f"{callback_seed}:{len(ch)}:{ch}").random for ch in offer.channels
            }
            self.offer_us = duration_us(offer.after, "after", ConfigError)
            self.accept = float(offer.accept)
        # The report's call-backs: how many were requested, when each still unanswered one
        # was (ticket -> µs), and the waits from request to agent of those answered.
        self.callbacks = 0
        self.callback_since: dict[str, int] = {}
        self.callbacks_answered = 0
        self.callback_wait_us = 0
        # Draws taken at arrival and used later: ticket -> first handle time (seconds), and
        # ticket -> one uniform per escalation rule of its category.
        self.first_handle: dict[str, float] = {}
        self.escalation_draws: dict[str, list[float]] = {}
        self.progress: Callable[[float, int], None] | None = None
        if progress is not None:
            if not callable(progress):
                raise ConfigError(f"progress must be callable, got {show(progress)}")
            if _two_arguments(progress):
                self.progress = progress  # type: ignore[assignment]
            else:
                one: Callable[[float], None] = progress  # type: ignore[assignment]
                self.progress = lambda frac, _customers: one(frac)
        self.start_us = instant_us(config.start, "start", ConfigError)
        self.end_us = self.start_us + duration_us(config.duration, "duration", ConfigError)
        # The run stops MAX_DRAIN after the horizon and the agents' last shift change (which
        # SimConfig checked is within the year 9999), set when the shifts are planned.  A draw
        # longer than the whole run ends after the stop however long it is, so draws are
        # clipped to that: exactly, and finite.
        self.last_change_us = self.end_us
        self.stop_us = self.end_us + _MAX_DRAIN_US
        self.max_draw_s = (self.stop_us - self.start_us) / _US + 1.0
        # Where the run stopped with handlings still going on (None: it ran out of things
        # to happen first): the report's observation ends there (see `simulate`).
        self.stopped_us: int | None = None
        self.warm_us = self.start_us + duration_us(config.warmup, "warmup", ConfigError)
        self.heap: list[tuple[int, int, int, Any, Any]] = []
        self.seq = itertools.count()
        self.commands = 0
        self.n_events = 0
        self.customers = 0
        self.waiting: set[str] = set()  # tickets waiting for their first agent
        self.handling: dict[str, str] = {}  # ticket -> the agent handling it
        self.escalated: set[str] = set()
        self.arrivals = Arrivals()  # the tickets of arrivals, one checked prototype per shape
        self.info: dict[str, tuple[str, str]] = {}  # ticket -> (channel, category)
        self.warm: set[str] = set()  # tickets left out of the report
        tiers = desk_config.tiers
        self.tiers = {n: tiers.get(n) or Tier(n, 0) for n, _ in config.arrivals.tiers}
        self.channel = _Picker(config.arrivals.channels)
        self.tier = _Picker(config.arrivals.tiers)
        self.category = _Picker(config.arrivals.categories)
        self.language = _Picker(config.arrivals.languages) if config.arrivals.languages else None
        ht = dict(config.handle_time)
        self.handle = ht
        self.handle_default = ht["default"]
        pt = dict(config.patience)
        self.patience = pt
        self.patience_default = pt.get("default")
        # category -> (team, probability, index of the rule in config.escalations, the
        # rule's stream of draws)
        self.escalate: dict[str, list[tuple[str, float, int, Callable[[], float]]]] = {}
        config.check_desk(desk_config)
        seen: dict[tuple[str, str], int] = {}
        for k, e in enumerate(config.escalations):
            n = seen[e.category, e.team] = seen.get((e.category, e.team), -1) + 1
            name = f"{self.routing_seed}:{len(e.category)}:{e.category}:{e.team}:{n}"
            stream = random.Random(name).random  # (a str seed is hashed with SHA-512: stable)
            self.escalate.setdefault(e.category, []).append((e.team, e.probability, k, stream))
        self.plan_arrivals()
        self.interval_us = duration_us(config.interval, "interval", ConfigError)
        # The series' rows: the horizon's intervals, then the drain's, at most
        # MAX_SIM_INTERVALS of those.
        self.horizon_rows = -(-(self.end_us - self.start_us) // self.interval_us)
        self.max_rows = self.horizon_rows + MAX_SIM_INTERVALS
        self.sla_bins: dict[int, list[int]] = {}
        # Per ticket, per metric: the start (µs) of the cycle whose breach is counted and that
        # has had no SlaMet since -- a clock regained (or recalculated) in that cycle adds
        # nothing, as in the report.  Dropped when the ticket is forgotten.
        self.sla_counted: dict[str, dict[Metric, int | None]] = {}
        # Measured occupancy: busy contact-time per interval (every ticket, warm-up included:
        # agents are busy with those too), and the start of each handling still going on.
        # `busy_bins` holds the time in the intervals where handlings start and end,
        # `busy_whole` +1 at the first and -1 past the last interval that handlings cover
        # whole: a handling costs the same whatever its length.
        self.busy_bins: dict[int, int] = {}
        self.busy_whole: dict[int, int] = {}
        self.busy_since: dict[str, int] = {}
        # Busy time off shift: a handling its agent goes on with while away or offline (it
        # finishes what it holds) is time the agent works, so it counts as available time too
        # and occupancy stays at most 1.  `off` holds, for each ticket whose agent left while
        # handling it, since when; `off_bins`/`off_whole` keep that time as `busy_bins` and
        # `busy_whole` keep busy time, and `window_off_us` its part in the report's window.
        self.off: dict[str, int] = {}
        self.off_bins: dict[int, int] = {}
        self.off_whole: dict[int, int] = {}
        self.window_off_us = 0
        # The report's window (see `available`), from the warm-up's end until the arrivals
        # stopped (the horizon, or the last customer's arrival when `max_customers` stopped
        # them), and the busy time of every handling within it; when the last handling ended.
        self.arrivals_end_us = self.end_us
        self.window_busy_us = 0
        self.last_busy_us = self.start_us
        # The agents' planned presence (see `_presence_plan`), one plan for the agents of a
        # group who take their breaks in the same wave: (capacity slots, agents, instants,
        # states), their time on shift as the desk sees it.  Each agent's plan, by its index
        # in `agent_ids`; its next change waits in the heap (one entry an agent).
        self.presence: list[tuple[int, int, list[int], bytes]] = []
        self.agent_ids: list[str] = []
        self.agent_plans: list[tuple[list[int], bytes]] = []
        # The arrival walk's place: seconds since the start, and the day and rate period that
        # instant lies in (kept, never worked out again from the float seconds: see
        # `schedule_arrival`).
        self.next_arrival_s = 0.0
        self.arrival_day = 0
        self.arrival_period = 0
        # The report, folded in as the run goes (what summarize() over the events would give).
        self.summary = Summarizer(config.service_target, short_abandon=config.short_abandon)
        self.fold: Callable[..., None] = self.summary.add
        if offer is not None:
            # Only a run with call-backs reads the CallbackDue events (the wait from request
            # to agent): a run without pays nothing for it.
            plain = self.fold
            answered = self.answered

            def fold_callbacks(event: Event, at_us: int | None = None) -> None:
                if type(event) is CallbackDue:
                    answered(event)
                plain(event, at_us)

            self.fold = fold_callbacks
        if on_event is not None:
            if not callable(on_event):
                raise ConfigError(f"on_event must be callable, got {show(on_event)}")
            add = self.fold
            tell = on_event

            def fold(event: Event, at_us: int | None = None) -> None:
                add(event, at_us)
                tell(event)

            self.fold = fold

    # -- set-up --------------------------------------------------------------------------------

    def push(self, t_us: int, kind: int, a: Any = None, b: Any = None) -> None:
        heapq.heappush(self.heap, (t_us, next(self.seq), kind, a, b))

    def schedule_agents(self) -> None:
        """Add the agents to the desk and put each one's first presence change in the heap;
        the next is pushed when one is applied (:meth:`presence_change`)."""
        at = utc(self.start_us)
        rules = self.desk.config.capacity
        for g in self.config.agents:
            if g.count == 0:
                continue
            slots = g.slots(rules)
            gap = duration_us(g.break_gap, "break_gap", ConfigError)
            breaks = any(s.breaks for s in g.shifts)
            plans: dict[int, tuple[list[int], bytes]] = {}
            agents: dict[int, int] = {}
            for i in range(g.count):
                profile = g.profile(i)
                self.commands += 1
                self.react(self.desk.add_agent(profile, at=at))
                lag = gap * (i % g.break_waves) if breaks else 0
                plan = plans.get(lag)
                if plan is None:
                    plan = plans[lag] = _presence_plan(g, lag, self.start_us)
                    if plan[0] and plan[0][-1] > self.last_change_us:
                        self.last_change_us = plan[0][-1]
                agents[lag] = agents.get(lag, 0) + 1
                index = len(self.agent_ids)
                self.agent_ids.append(profile.id)
                self.agent_plans.append(plan)
                if plan[0]:
                    heapq.heappush(self.heap, (plan[0][0], index - _FIRST, _PRESENCE, index, 0))
            for lag, (times, states) in plans.items():
                self.presence.append((slots, agents[lag], times, states))

    def presence_change(self, index: int, k: int, t_us: int, at: datetime) -> None:
        """Apply the *k*-th planned presence change of agent *index*, and plan its next.

        The tickets the agent holds when it leaves ``available`` are handled off shift from
        then until they end or it is available again (see ``off``)."""
        agent = self.agent_ids[index]
        times, states = self.agent_plans[index]
        state = states[k]
        if self.handling:
            off = self.off
            held = self.desk.agent(agent).held
            if state == _AVAILABLE:
                for tid in held:
                    since = off.pop(tid, None)
                    if since is not None:
                        self.busy_off(since, t_us)
            else:
                for tid in held:
                    if tid not in off:
                        off[tid] = t_us
        self.commands += 1
        self.react(self.desk.set_presence(agent, _STATES[state], at=at))
        if k + 1 < len(times):
            heapq.heappush(self.heap, (times[k + 1], index - _FIRST, _PRESENCE, index, k + 1))

    def plan_arrivals(self) -> None:
        """Precompute the day's rate profile for the arrival walk (see ``schedule_arrival``):
        each period's start and rate (per second, times the peak), the next period with a
        positive rate from each one, the rate integrated up to each period's start, and
        which walk the run takes."""
        config = self.config
        starts = [p.start.total_seconds() for p in config.arrivals.rates]
        rates = [p.per_hour * config.peak / 3600.0 for p in config.arrivals.rates]
        n = len(starts)
        self.rate_starts = starts
        self.rate_per_s = rates
        self.n_periods = n
        # next_positive[k]: the first period at or after k with a positive rate (n: none left
        # in the day), so a walk steps over a stretch of zero rates at once.
        nxt = [n] * (n + 1)
        for k in range(n - 1, -1, -1):
            nxt[k] = k if rates[k] > 0 else nxt[k + 1]
        self.next_positive = nxt
        self.first_positive = nxt[0]
        self.any_arrivals = nxt[0] < n
        # cum[k]: the expected arrivals of a day before period k starts; cum[n], the day's.
        cum = [0.0]
        for k in range(n):
            end = starts[k + 1] if k + 1 < n else _DAY_S
            cum.append(cum[-1] + rates[k] * (end - starts[k]))
        self.rate_cum = cum
        self.horizon_s = (self.end_us - self.start_us) / _US
        self.horizon_days = math.ceil(self.horizon_s / _DAY_S)
        # The walk that draws afresh at each change to a positive rate costs a draw per such
        # period and day; past _MAX_FRESH_DRAWS of those over the horizon the run draws each
        # gap against the integrated rate instead, at a cost per arrival.
        positive = sum(1 for r in rates if r > 0)
        self.fresh_draws = positive * (self.horizon_days + 1) <= _MAX_FRESH_DRAWS

    def schedule_arrival(self) -> None:
        """Draw the next arrival of the piecewise-constant Poisson process, if any.

        The walk keeps the day and the rate period it is in as integers and steps from one
        period to the next by index, so it always moves on, whatever the float seconds of a
        period's start round to; a stretch of periods at a zero rate is stepped over at
        once.  From an instant in a period with a positive rate it draws an exponential gap
        at that rate: an arrival when the gap ends within the period, else a fresh draw at
        the start of the next period with a positive rate (the exponential distribution
        forgets the time waited, so this is exact).  A profile with so many positive periods
        over the horizon that those fresh draws would outnumber ``_MAX_FRESH_DRAWS`` draws
        each gap against the integrated rate instead (``integrated_arrival``), also exact.
        """
        m = self.config.max_customers
        if m is not None and self.customers >= m:
            # The limit ends the arrivals at this (the last) customer's arrival.
            self.arrivals_end_us = min(
                self.end_us, self.start_us + round(self.next_arrival_s * _US)
            )
            return
        if not self.any_arrivals:  # every rate 0: no need to walk the horizon's days
            return
        if not self.fresh_draws:
            self.integrated_arrival()
            return
        t = self.next_arrival_s
        day = self.arrival_day
        i = self.arrival_period
        horizon = self.horizon_s
        starts = self.rate_starts
        rates = self.rate_per_s
        n = self.n_periods
        next_positive = self.next_positive
        rng = self.rng
        while t < horizon:
            j = i + 1
            seg_end = day * _DAY_S + (starts[j] if j < n else _DAY_S)
            rate = rates[i]
            if rate > 0:
                nxt = t + rng.expovariate(rate)
                if nxt < seg_end:
                    if nxt >= horizon:
                        return
                    self.next_arrival_s = nxt
                    self.arrival_day = day
                    self.arrival_period = i
                    self.push(self.start_us + round(nxt * _US), _ARRIVE)
                    return
            # Memoryless: draw afresh from the next period with a positive rate.
            i = next_positive[j]
            if i == n:
                day += 1
                i = self.first_positive
            t = day * _DAY_S + starts[i]

    def integrated_arrival(self) -> None:
        """The next arrival, drawn as one exponential amount of the integrated rate (the
        expected arrivals) from the last one: it ends within the current period, within the
        rest of the day (a bisection of the day's cumulative rate), or after as many whole
        days as it holds.  A cost per arrival, however many periods the profile has."""
        t = self.next_arrival_s
        day = self.arrival_day
        i = self.arrival_period
        horizon = self.horizon_s
        starts = self.rate_starts
        rates = self.rate_per_s
        cum = self.rate_cum
        n = self.n_periods
        per_day = cum[n]
        e = self.rng.expovariate(1.0)
        rate = rates[i]
        j = i + 1
        if rate > 0:
            seg_end = day * _DAY_S + (starts[j] if j < n else _DAY_S)
            nxt = t + e / rate
            if nxt < seg_end:
                self.integrated_at(nxt, day, i)
                return
            e = max(0.0, e - rate * (seg_end - t))
        if j == n:
            day, j = day + 1, 0
        while day * _DAY_S < horizon:
            left = per_day - cum[j]
            if e < left:
                target = cum[j] + e
                k = bisect.bisect_right(cum, target, j) - 1  # cum[k] <= target < cum[k + 1]
                if k < n:
                    nxt = day * _DAY_S + starts[k] + (target - cum[k]) / rates[k]
                    self.integrated_at(nxt, day, k)
                    return
                left = e  # (the sum rounded up to the day's total: the day ends here)
            e = max(0.0, e - left)
            day, j = day + 1, 0
            if e >= per_day:  # whole days without an arrival
                if e >= per_day * (self.horizon_days + 1):
                    return
                whole = math.floor(e / per_day)
                day += whole
                e = max(0.0, e - whole * per_day)

    def integrated_at(self, nxt: float, day: int, period: int) -> None:
        """The integrated walk's arrival at *nxt* seconds, in *period* of *day*, unless it
        lies past the horizon."""
        if nxt >= self.horizon_s:
            return
        self.next_arrival_s = nxt
        self.arrival_day = day
        self.arrival_period = period
        self.push(self.start_us + round(nxt * _US), _ARRIVE)

    # -- the loop ------------------------------------------------------------------------------

    def run(self) -> None:
        """Run the simulation, folding every desk event in (warm-up tickets left out)."""
        self.schedule_agents()
        self.stop_us = self.last_change_us + _MAX_DRAIN_US
        self.max_draw_s = (self.stop_us - self.start_us) / _US + 1.0
        self.push(self.stop_us, _STOP)
        self.schedule_arrival()
        desk = self.desk
        heap = self.heap
        pop = heapq.heappop
        react = self.react
        span = max(1, self.end_us - self.start_us)
        steps = 0
        progress = self.progress
        max_c = self.config.max_customers
        handling = self.handling
        waiting = self.waiting
        next_wakeup_us = desk.next_wakeup_us
        while True:
            w_us = next_wakeup_us()
            if not heap and w_us is None:
                break
            if w_us is not None and (not heap or w_us <= heap[0][0]):
                self.commands += 1
                react(desk.advance(at=utc(w_us)))
                continue
            t_us, _, kind, a, b = pop(heap)
            at = utc(t_us)
            if kind == _ARRIVE:
                self.arrive(t_us, at)
            elif kind == _DONE:
                if handling.get(a) == b:
                    self.done(a, b, at, t_us)
            elif kind == _ABANDON:
                if a in waiting:
                    waiting.discard(a)
                    self.first_handle.pop(a, None)
                    self.escalation_draws.pop(a, None)
                    self.commands += 1
                    react(desk.abandon(a, at=at))
                    self.forget(a, at)
            elif kind == _PRESENCE:
                self.presence_change(a, b, t_us, at)
            elif kind == _CALLBACK:
                if a in waiting:
                    self.call_back(a, t_us, at)
            else:
                self.stop(t_us)
                break
            steps += 1
            if progress is not None and steps % 2000 == 0:
                frac = (t_us - self.start_us) / span
                if max_c is not None:
                    frac = max(frac, self.customers / max_c)
                progress(min(1.0, frac), self.customers)
        if progress is not None:
            progress(1.0, self.customers)

    def stop(self, t_us: int) -> None:
        """The run stops :data:`~csflow.sim.scenario.MAX_DRAIN` after the horizon (or the last
        shift change) with work still going on: the handlings still going on count as busy
        up to now, and the report's observation ends now (its open handling spans are cut
        here, as the occupancy series' busy time is)."""
        if self.handling:
            self.stopped_us = t_us
        for tid in list(self.handling):
            since = self.busy_since.pop(tid, None)
            if since is not None:
                self.busy(since, t_us)
            since = self.off.pop(tid, None)
            if since is not None:
                self.busy_off(since, t_us)

    def draw(self, seconds: object, what: str) -> float:
        """A draw of *what* that is not a float in ``[0, max_draw_s)``: clipped to
        ``max_draw_s`` when longer (it ends after the stop either way).

        Raises:
            ConfigError: A draw that is not a number of seconds ``>= 0`` (a distribution of
                the caller's own that returned NaN, a negative number or something else).
        """
        if isinstance(seconds, int | float) and not isinstance(seconds, bool) and seconds >= 0:
            # (Compared before the conversion: an int can be too large for a float.)
            return self.max_draw_s if seconds >= self.max_draw_s else float(seconds)
        raise ConfigError(
            f"a {what} distribution drew {show(seconds)}; expected a number of seconds >= 0",
            what,
        )

    def arrive(self, t_us: int, at: datetime) -> None:
        if len(self.info) >= MAX_SIM_OPEN:
            raise ConfigError(
                f"the staffing cannot keep up: {MAX_SIM_OPEN:,} tickets open at once at "
                f"{at.isoformat()} (the most a simulation holds, MAX_SIM_OPEN); add agents, "
                "shorten the run, or lower the traffic",
                "agents",
            )
        rng = self.rng
        self.customers += 1
        n = self.customers
        tid = f"T{n}"
        channel = self.channel.pick(rng)
        tier = self.tiers[self.tier.pick(rng)]
        language = self.language.pick(rng) if self.language is not None else None
        category = self.category.pick(rng)
        ticket = self.arrivals.ticket(tid, f"C{n}", channel, tier, language, category, at)
        self.info[tid] = (channel, category)
        if t_us < self.warm_us:
            self.warm.add(tid)
        patience = self.patience.get(channel, self.patience_default)
        # Every draw of this customer is taken now, in arrival order (common random numbers).
        seconds = self.handle.get(channel, self.handle_default).sample(self.handle_rng)
        if type(seconds) is not float or not 0.0 <= seconds < self.max_draw_s:
            seconds = self.draw(seconds, "handle_time")
        self.first_handle[tid] = seconds
        rules = self.escalate.get(category)
        if rules:
            self.escalation_draws[tid] = [draw() for *_, draw in rules]
        give_up = None if patience is None else patience.sample(self.patience_rng)
        if give_up is not None and (
            type(give_up) is not float or not 0.0 <= give_up < self.max_draw_s
        ):
            give_up = self.draw(give_up, "patience")
        accepts = False
        if self.offered:
            uniform = self.offered.get(channel)
            if uniform is not None:
                accepts = uniform() < self.accept
        self.schedule_arrival()
        self.waiting.add(tid)
        self.commands += 1
        self.react(self.desk.submit(ticket, at=at))
        if tid in self.waiting:
            if accepts:  # before the patience: at one instant, the offer comes first
                self.push(t_us + self.offer_us, _CALLBACK, tid)
            if give_up is not None:
                self.push(t_us + round(give_up * _US), _ABANDON, tid)

    def call_back(self, tid: str, t_us: int, at: datetime) -> None:
        """The customer of *tid*, still waiting for its first agent, takes the offer: the
        desk makes the ticket a call-back, and the customer no longer abandons."""
        self.waiting.discard(tid)  # its patience's entry now finds nothing to do
        if not (self.warm and tid in self.warm):
            self.callbacks += 1
            self.callback_since[tid] = t_us
        self.commands += 1
        self.react(self.desk.request_callback(tid, at=at))

    def answered(self, event: CallbackDue) -> None:
        """An agent took a call-back of the report's: the wait from its request."""
        since = self.callback_since.pop(event.ticket_id, None)
        if since is not None:
            self.callbacks_answered += 1
            self.callback_wait_us += instant_us(event.at, "at") - since

    def done(self, tid: str, agent: str, at: datetime, t_us: int) -> None:
        del self.handling[tid]
        since = self.busy_since.pop(tid, None)
        if since is not None:
            self.busy(since, t_us)
        if self.off:
            since = self.off.pop(tid, None)
            if since is not None:
                self.busy_off(since, t_us)
        rules = self.escalate.get(self.info[tid][1])
        draws = self.escalation_draws.pop(tid, None)
        if rules and draws is not None and tid not in self.escalated:
            for (team, p, k, _), u in zip(rules, draws, strict=True):
                if u < p:
                    self.escalated.add(tid)
                    self.commands += 1
                    try:
                        events = self.desk.escalate(tid, team, at=at)
                    except InvalidTransitionError as exc:
                        # The desk's graph or transfer limit refuses it from where this
                        # ticket waited (not known before the run): the configurations do
                        # not fit together.
                        raise ConfigError(
                            f"the desk refused to escalate ticket {tid} (category "
                            f"{show(self.info[tid][1])}) to team {show(team)} at "
                            f"{at.isoformat()}: {exc}",
                            f"escalations[{k}].team",
                        ) from None
                    self.react(events)
                    return
        self.commands += 1
        self.react(self.desk.resolve(tid, agent, at=at))
        # Nothing reopens a simulated ticket: close it and let the desk and the simulator
        # forget it, so that memory stays proportional to the open work, not the run's length.
        self.commands += 1
        self.react(self.desk.close(tid, at=at))
        self.forget(tid, at)

    def forget(self, tid: str, at: datetime) -> None:
        """Drop a closed or abandoned ticket from the desk and from the simulator's books."""
        self.commands += 1
        self.desk.forget(tid, at=at)
        del self.info[tid]
        self.sla_counted.pop(tid, None)
        self.warm.discard(tid)
        self.escalated.discard(tid)

    def react(self, events: list[Any]) -> None:
        """Fold the desk's events into the report; an assignment starts a handling (and maybe
        a reply)."""
        self.n_events += len(events)
        warm = self.warm
        add = self.fold
        for e in events:
            kind = type(e)
            if kind is TicketAssigned:
                tid = e.ticket_id
                agent = e.agent_id
                self.waiting.discard(tid)
                self.handling[tid] = agent
                t_us = instant_us(e.at, "at")
                since = self.busy_since.get(tid)
                if since is not None:  # taken from its agent and assigned again
                    self.busy(since, t_us)
                    since = self.off.pop(tid, None)
                    if since is not None:
                        self.busy_off(since, t_us)
                self.busy_since[tid] = t_us
                seconds = self.first_handle.pop(tid, None)
                if seconds is None:  # handled again: the first handle times stay aligned
                    dist = self.handle.get(self.info[tid][0], self.handle_default)
                    seconds = dist.sample(self.rehandle_rng)
                    if type(seconds) is not float or not 0.0 <= seconds < self.max_draw_s:
                        seconds = self.draw(seconds, "handle_time")
                self.push(t_us + round(seconds * _US), _DONE, tid, agent)
                counted = not (warm and tid in warm)
                if counted:
                    add(e, t_us)
                if self.config.reply_on_assign:
                    self.commands += 1
                    replies = self.desk.reply(tid, agent, at=e.at)
                    self.n_events += len(replies)
                    if counted:
                        for r in replies:
                            if type(r) is SlaMet or type(r) is SlaBreached:
                                self.bin(r)
                            add(r)
                continue
            if warm and getattr(e, "ticket_id", None) in warm:
                continue
            if kind is SlaMet or kind is SlaBreached:
                self.bin(e)
            add(e)

    def bin(self, e: SlaMet | SlaBreached) -> None:
        """Count an SLA cycle in its interval: met on time, or breached at its breach event.

        A cycle met late already counted at its :class:`~csflow.sla.SlaBreached` (the desk
        fires breaches at their instant), so its late ``SlaMet`` is not counted again; nor is
        a second breach of a cycle already counted (its clock recalculated, or regained after
        its metric lost its target: the same ``cycle_start``), as in the report.
        """
        cycles = self.sla_counted.get(e.ticket_id)
        start = None if e.cycle_start is None else to_us(e.cycle_start)
        counted = cycles is not None and e.metric in cycles and cycles[e.metric] == start
        if isinstance(e, SlaBreached):
            if counted:
                return
            if cycles is None:
                cycles = self.sla_counted[e.ticket_id] = {}
            cycles[e.metric] = start
            which = 1
        else:
            if cycles is not None:
                cycles.pop(e.metric, None)  # the cycle ends
            if counted or e.breached:  # met late: counted at its breach
                return
            which = 0
        k = (instant_us(e.at, "at") - self.start_us) // self.interval_us
        counts = self.sla_bins.get(k)
        if counts is None:
            counts = self.sla_bins[k] = [0, 0]
        counts[which] += 1

    def busy(self, since_us: int, until_us: int) -> None:
        """Add a handling's busy time to the intervals it overlaps (the drain after the
        horizon included), and to the report's window (see :meth:`available`).

        A handling ends at the simulated now, so until the last arrival is in, the end of the
        arrivals still lies ahead of it: clipping at the horizon then clips at the window.
        """
        a = max(since_us, self.start_us)
        b = until_us
        if b > self.last_busy_us:
            self.last_busy_us = b
        self.window_busy_us += max(0, min(b, self.arrivals_end_us) - max(a, self.warm_us))
        if a >= b:
            return
        step = self.interval_us
        origin = self.start_us
        bins = self.busy_bins
        k = (a - origin) // step
        last = (b - 1 - origin) // step  # the interval of the handling's last microsecond
        if k == last:
            bins[k] = bins.get(k, 0) + b - a
            return
        bins[k] = bins.get(k, 0) + origin + (k + 1) * step - a
        bins[last] = bins.get(last, 0) + b - origin - last * step
        if last > k + 1:  # whole intervals between: counted, and summed up in the series
            whole = self.busy_whole
            whole[k + 1] = whole.get(k + 1, 0) + 1
            whole[last] = whole.get(last, 0) - 1

    def busy_off(self, since_us: int, until_us: int) -> None:
        """Add the time a handling went on while its agent was away or offline (see ``off``)
        to the intervals it overlaps and to the report's window, as :meth:`busy` does."""
        a, b = since_us, until_us
        self.window_off_us += max(0, min(b, self.arrivals_end_us) - max(a, self.warm_us))
        if a >= b:
            return
        step = self.interval_us
        origin = self.start_us
        bins = self.off_bins
        k = (a - origin) // step
        last = (b - 1 - origin) // step
        if k == last:
            bins[k] = bins.get(k, 0) + b - a
            return
        bins[k] = bins.get(k, 0) + origin + (k + 1) * step - a
        bins[last] = bins.get(last, 0) + b - origin - last * step
        if last > k + 1:
            whole = self.off_whole
            whole[k + 1] = whole.get(k + 1, 0) + 1
            whole[last] = whole.get(last, 0) - 1

    def shifts(self, until_us: int) -> list[tuple[int, int, int]]:
        """The agents' time on shift (available, not on a break) up to *until_us*:
        ``(capacity slots, from, to)`` spans, in microseconds since the epoch, the slots
        of every agent who shares the span's plan."""
        spans = []
        for slots, agents, times, states in self.presence:
            n = slots * agents
            if n <= 0:
                continue
            for i, t_us in enumerate(times):
                if states[i] != _AVAILABLE or t_us >= until_us:
                    continue
                end = times[i + 1] if i + 1 < len(times) else until_us
                spans.append((n, t_us, min(end, until_us)))
        return spans

    def series_end_us(self) -> int:
        """The end of the measured time: the horizon or, when an agent was still busy after
        it (the drain), the end of the interval in which the last handling ended (or the
        stop, where the run stopped, when that is earlier), so that the last row, like every
        other, counts the agents' time on shift over its whole interval."""
        end = self.end_us
        last = self.last_busy_us
        if last <= end:
            return end
        step = self.interval_us
        origin = self.start_us
        return min(origin + -(-(last - origin) // step) * step, self.stop_us)

    def available(self, busy: timedelta) -> timedelta:
        """The report's available time, for its busy time *busy* (see :func:`simulate`):
        *busy* plus the agents' idle contact time between the end of the warm-up and the end
        of the arrivals (their time on shift, in capacity slots, less every handling's busy
        time within that window)."""
        lo, hi = self.warm_us, self.arrivals_end_us
        on = 0
        for slots, a, b in self.shifts(hi):
            a = max(a, lo)
            if a < b:
                on += (b - a) * slots
        # Busy time off shift is available time too (see `off`): idle is on-shift time less
        # the on-shift busy time.
        idle = timedelta(microseconds=on - (self.window_busy_us - self.window_off_us))
        return max(timedelta(0), busy + idle)

    def occupancy_series(self) -> tuple[tuple[datetime, float | None], ...]:
        """Busy contact-time over available contact-time (agents on shift times their
        capacity slots), per interval of the horizon and of any later interval in which an
        agent was still busy (the drain, :data:`~csflow.sim.scenario.MAX_SIM_INTERVALS`
        intervals of it at most); ``None`` where no agent was on.  Every row counts the time
        on shift within its interval up to :meth:`series_end_us`, the last row too."""
        step = self.interval_us
        origin = self.start_us
        end = self.series_end_us()
        rows = -(-(end - origin) // step)
        if rows > self.max_rows:
            rows = self.max_rows
            end = origin + rows * step
        # Time on shift as the busy time is kept: the parts in the first and last interval
        # of each span, and the whole intervals between as a running count of slots.
        slot_bins = [0] * rows
        slot_whole = [0] * (rows + 1)
        for slots, a, b in self.shifts(end):
            k = (a - origin) // step
            last = (b - 1 - origin) // step
            if k == last:
                slot_bins[k] += (b - a) * slots
                continue
            slot_bins[k] += (origin + (k + 1) * step - a) * slots
            slot_bins[last] += (b - origin - last * step) * slots
            slot_whole[k + 1] += slots
            slot_whole[last] -= slots
        busy_bins = self.busy_bins
        busy_whole = self.busy_whole
        off_bins = self.off_bins
        off_whole = self.off_whole
        out = []
        on = handling = away = 0
        for k in range(rows):
            on += slot_whole[k]
            handling += busy_whole.get(k, 0)
            away += off_whole.get(k, 0)
            # Time off shift that an agent spent finishing a handling counts as available.
            slots = slot_bins[k] + on * step + off_bins.get(k, 0) + away * step
            busy = busy_bins.get(k, 0) + handling * step
            out.append((utc(origin + k * step), busy / slots if slots > 0 else None))
        return tuple(out)

    def series(self) -> tuple[SlaInterval, ...]:
        """One row per interval of the horizon (and of any later interval that decided a
        cycle, :data:`~csflow.sim.scenario.MAX_SIM_INTERVALS` intervals of the drain at
        most), with ``0, 0`` where nothing was decided: a gap in a plot is then a quiet
        interval, not a missing one."""
        bins = self.sla_bins
        horizon = self.horizon_rows
        # Past the horizon, only the intervals that decided a cycle (`bin` counts nothing
        # else), at most MAX_SIM_INTERVALS of the drain.
        decided = sorted(k for k in bins if k < 0 or horizon <= k < self.max_rows)
        rows = [k for k in decided if k < 0] + list(range(horizon))
        rows += [k for k in decided if k >= 0]
        return tuple(
            SlaInterval(utc(self.start_us + k * self.interval_us), *bins.get(k, (0, 0)))
            for k in rows
        )


def simulate(
    desk_config: DeskConfig,
    config: SimConfig,
    *,
    seed: int = 0,
    progress: _Progress | None = None,
    on_event: Callable[[Event], None] | None = None,
) -> SimResult:
    """Simulate *config*'s traffic and agents on a desk built from *desk_config*.

    Args:
        desk_config: The desk under test: its tiers, SLA policies, queues, routing, teams.
        config: The traffic, the agents and the horizon.
        seed: The seed of the run's randomness, an int ``>= 0``: it seeds one stream each for
            the arrivals, the handle times, the patience and the routing draws (and, with
            call-backs offered, the customers' answers to the offer), so runs with the same
            seed see the same customers whatever their staffing, policies or offers.
        progress: Called now and then with the fraction done (0.0-1.0), and with 1.0 at the
            end; a callback that takes two positional arguments also gets the customers
            simulated so far (warm-up included).  A CLI draws a progress line with it.
        on_event: Called with every event the report counts, in order, as the run goes
            (warm-up tickets left out): to stream a run's events elsewhere.
            ``summarize(events)`` over them is the report (``summarize(events,
            until=report.end)`` for a run that stopped ``MAX_DRAIN`` after the horizon with
            handlings still going on: see Returns).

    Returns:
        The :class:`SimResult` (with :attr:`SimConfig.callbacks`, the call-backs requested
        and their waits too), whose ``report`` is :func:`csflow.metrics.summarize` over the
        desk's events (warm-up tickets left out; folded in as the run goes), with an
        ``available`` time that makes its occupancy busy time over busy plus idle time.  Its
        window runs from the end of the warm-up until the arrivals stop (the end of
        *duration*, or the last customer's arrival when ``max_customers`` stops them).
        ``available`` is the report's ``handle_time`` (the whole handling of its tickets, the
        drain after the window included) plus the agents' idle contact time in the window:
        their time on shift (capacity slots, breaks left out, as the desk saw their presence)
        less the busy time on shift of every handling within it, warm-up tickets' included,
        as :attr:`SimResult.occupancy_series` counts them per interval.  The time an agent
        spends finishing a handling on a break or after its shift counts as available time
        (it is busy then), never as idle, so occupancy is at most 1.  So a desk busy all the
        time reads 1, and otherwise ``report.occupancy`` is the series' busy time over its
        available time summed over the window, up to the work carried across the window's
        edges (warm-up tickets handled after the warm-up, the report's tickets after the
        arrivals stop), which balance out in a steady state: on an M/M/c run it comes out at
        Erlang's load per agent.  The agents' idle time after the arrivals stop does not
        count, nor do their own presence changes then (an offline at the end of a shift).
        A run that reaches its stop (``MAX_DRAIN`` after the horizon or the last shift
        change) with handlings still going on observes until the stop: the report's ``end``
        is the stop, and its ``handle_time`` counts those handlings up to it, as
        :attr:`SimResult.occupancy_series` counts them, not up to the last event (which may
        lie before the horizon).

    Raises:
        ConfigError: A *seed* that is not an int ``>= 0``, a *progress* or *on_event* that is
            not callable, or what :meth:`SimConfig.check_desk` refuses (checked before the
            run: an escalation team the desk does not have, path ``escalations[i].team``; a
            name the desk does not declare, as an :class:`~csflow.errors.UndeclaredNameError`;
            an escalation the desk refuses whenever that shows before the run; call-backs
            offered on a desk that cannot make a call, path ``callbacks``), an escalation
            the desk refuses during the run (its escalation graph or transfer limit, from the
            queue the ticket waited in; path ``escalations[i].team``, the rule's), a handle
            time or patience drawn from a distribution of the caller's own that is not a
            number of seconds ``>= 0`` (path ``handle_time`` or ``patience``; an infinite one
            ends after the run stops), or a run whose staffing cannot keep up:
            ``MAX_SIM_OPEN`` (a million) tickets open at once (path ``agents``).

    Examples:
        >>> from datetime import datetime, timedelta, timezone
        >>> from csflow.sim import AgentGroup, Arrivals, RatePeriod, SimConfig
        >>> cfg = SimConfig(
        ...     start=datetime(2026, 3, 16, tzinfo=timezone.utc),
        ...     duration=timedelta(hours=2),
        ...     arrivals=Arrivals([RatePeriod(timedelta(0), per_hour=50)]),
        ...     agents=[AgentGroup("a", 6, capacity={"phone": 1})],
        ... )
        >>> result = simulate(DeskConfig(), cfg, seed=1)
        >>> result.report.offered == result.customers > 50
        True
    """
    if not isinstance(desk_config, DeskConfig):
        raise ConfigError(f"desk_config must be a DeskConfig, got {show(desk_config)}")
    if not isinstance(config, SimConfig):
        raise ConfigError(f"config must be a SimConfig, got {show(config)}")
    check_seed(seed)
    run = _Run(desk_config, config, seed, progress, on_event)
    run.run()
    # A run stopped MAX_DRAIN after the horizon with handlings still going on observes them
    # until the stop: the report's handle time then counts them up to it, as the occupancy
    # series does, rather than up to the last event, which may lie before the horizon.
    stopped = run.stopped_us
    report = run.summary.report(until=None if stopped is None else utc(stopped))
    if report.end is not None:
        # Occupancy over the report's window: its busy time over that plus the agents' idle
        # time while the report's customers arrived.
        report = attrs.evolve(report, available=run.available(report.handle_time))
    return SimResult(
        report,
        run.customers,
        run.commands,
        run.n_events,
        run.series(),
        seed,
        run.occupancy_series(),
        run.callbacks,
        run.callbacks_answered,
        (
            # (timedelta's division rounds to the nearest µs, as the report's means do)
            timedelta(microseconds=run.callback_wait_us) / run.callbacks_answered
            if run.callbacks_answered
            else None
        ),
    )


def run_scenario(scenario: Scenario, progress: _Progress | None = None) -> SimResult:
    """Build *scenario*'s configurations and :func:`simulate` it with its seed.

    The result's report is made of plain containers, so it pickles back from a worker.

    Raises:
        ConfigError: Malformed scenario data.
    """
    desk, sim = scenario.configs()
    result = simulate(desk, sim, seed=scenario.seed, progress=progress)
    r = result.report
    plain = attrs.evolve(
        r,
        sla_by_metric=dict(r.sla_by_metric),
        sla_by_tier=dict(r.sla_by_tier),
        sla_by_channel=dict(r.sla_by_channel),
    )
    return attrs.evolve(result, report=plain)
