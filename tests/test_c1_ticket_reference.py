"""A ticket's SLA clocks against a naive reference written from the docs.

The reference (:class:`NaiveTicket`) reads docs/explanation/sla-semantics.md,
docs/how-to/pausing.md and the theory of operation of :mod:`csflow.sla.clock` literally, on
a calendar counted minute by minute (every instant here is a whole minute):

* ``first_response`` and ``resolution`` start with the ticket; ``periodic_update`` at each
  agent reply (not while solved), which meets the one running; ``next_response`` at a
  customer message after an agent reply, when none is running (a later message does not
  restart it); an agent reply meets the first and next responses;
* ``pause_on`` pauses a metric while the ticket is in a status it names: paused time never
  counts; ``solved`` meets the resolution and cancels the other live clocks; re-opening
  resumes the resolution where it stopped (met late stays late) and, once an agent has
  replied, starts a periodic-update and a next-response cycle; ``closed`` cancels
  everything;
* a threshold (each fraction of the target, then the target itself) is due at the first
  instant the running time reaches it -- the end of the minute that completes it, even when
  the office closes right then -- or, reached exactly as the clock paused, at the first open
  instant from the resume;
* a command returns what was due strictly before its instant (in time order, ties in metric
  order), then its own events, then what is due exactly at its instant; a reply at the due
  instant meets the target;
* a priority change (``KEEP_ELAPSED``) counts the time used against the new target: a
  threshold already used is passed over, a target already reached is breached at the change.
"""

from __future__ import annotations

import bisect
import json
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from csflow import BusinessCalendar
from csflow.events import SlaBreached, SlaCancelled, SlaEvent, SlaMet, SlaWarning
from csflow.sla import Metric, SlaPolicy, TicketSla

MIN = timedelta(minutes=1)
T0 = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)  # a Monday
HORIZON = 21 * 24 * 60  # minutes the reference counts (three weeks)
METRICS = tuple(Metric)
FRACTIONS = (0.5, 0.75, 0.9)

Event = tuple[object, ...]


class NaiveCalendar:
    """Open minutes from T0, by brute force."""

    def __init__(self, open_minute: list[bool]) -> None:
        self.open = open_minute
        self.cum = [0]
        for o in open_minute:
            self.cum.append(self.cum[-1] + (1 if o else 0))

    def elapsed(self, a: int, b: int) -> int:
        return self.cum[b] - self.cum[a]

    def reach(self, mark: int, d: int) -> int:
        """The instant (minute) at which *d* more open minutes from *mark* are used."""
        if d == 0:  # the first open instant from mark
            m = mark
            while not self.open[m]:
                m += 1
            return m
        want = self.cum[mark] + d
        return bisect.bisect_left(self.cum, want)


def weekly(spans: list[tuple[int, int]], days: int) -> NaiveCalendar:
    opened = [False] * HORIZON
    for day in range(HORIZON // 1440):
        if day % 7 >= days:
            continue
        for a, b in spans:
            for m in range(day * 1440 + a, day * 1440 + b):
                opened[m] = True
    return NaiveCalendar(opened)


class NaiveClock:
    def __init__(self, cal: NaiveCalendar, metric: Metric, target: int, t: int, paused: bool):
        self.cal, self.metric, self.target = cal, metric, target
        self.gaps: list[tuple[int, int]] = []  # pauses, and stops until a re-opening
        self.amounts = [round(target * w) for w in FRACTIONS]
        self.k = 0
        self.used = 0
        self.mark = self.started = t
        self.state = "paused" if paused else "running"
        self.due: int | None = None

    def due_at(self) -> int | None:
        if self.state in ("breached", "breached_paused", "met_late"):
            return self.due
        if self.state == "running":
            return self.cal.reach(self.mark, max(self.target - self.used, 0))
        return None

    def live(self) -> bool:
        return self.state in ("running", "paused", "breached", "breached_paused")

    def counting(self) -> bool:
        return self.state in ("running", "breached")

    def used_at(self, t: int) -> int:
        return self.used + (self.cal.elapsed(self.mark, t) if self.counting() else 0)

    def poll(self, limit: int, out: list[tuple[int, int, Event]]) -> None:
        while self.state == "running":
            last = self.k == len(self.amounts)
            amount = self.target if last else self.amounts[self.k]
            u = self.cal.reach(self.mark, amount - self.used)
            if u > limit:
                return
            if last:
                self.state = "breached"
                self.due = u
                out.append((u, METRICS.index(self.metric), ("breach", u, self.metric, u)))
            else:
                due = self.cal.reach(self.mark, self.target - self.used)
                out.append(
                    (
                        u,
                        METRICS.index(self.metric),
                        ("warn", u, self.metric, FRACTIONS[self.k], due),
                    )
                )
                self.k += 1

    def fold(self, t: int) -> None:
        self.used = self.used_at(t)
        self.mark = t

    def pause(self, t: int) -> None:
        self.fold(t)
        self.state = "paused" if self.state == "running" else "breached_paused"

    def resume(self, t: int) -> None:
        self.gaps.append((self.mark, t))
        self.mark = t
        self.state = "running" if self.state == "paused" else "breached"

    def stop(self, t: int) -> Event:
        self.end(t)
        late = self.state in ("breached", "breached_paused")
        self.state = "met_late" if late else "met"
        return ("met", t, self.metric, self.used, late)

    def end(self, t: int) -> None:
        if not self.counting() and self.live():
            self.gaps.append((self.mark, t))  # a pause in progress ends here
        self.fold(t)

    def cancel(self, t: int) -> None:
        self.end(t)
        self.state = "cancelled"

    def reopen(self, t: int) -> None:
        self.gaps.append((self.mark, t))
        self.mark = t
        self.state = "breached" if self.state == "met_late" else "running"

    def restart(self, target: int, cal: NaiveCalendar, t: int) -> None:
        self.fold(t)
        self.cal, self.gaps = cal, []
        self.target = target
        self.amounts = [round(target * w) for w in FRACTIONS]
        self.used, self.mark, self.started, self.k, self.due = 0, t, t, 0, None
        paused = self.state in ("paused", "breached_paused")
        self.state = "paused" if paused else "running"

    def replayed(self, target: int, cal: NaiveCalendar, t: int) -> NaiveClock:
        """A fresh clock of *target* on *cal* from this one's start, through its pauses."""
        fresh = NaiveClock(cal, self.metric, target, self.started, False)
        sink: list[tuple[int, int, Event]] = []
        for a, b in self.gaps:
            fresh.poll(a - 1, sink)
            fresh.pause(a)
            fresh.resume(b)
            fresh.poll(b, sink)
        if not self.counting():
            fresh.poll(self.mark - 1, sink)
            fresh.pause(self.mark)
        fresh.poll(t, sink)
        return fresh

    def retarget(self, target: int, t: int, cal: NaiveCalendar | None = None) -> list[Event]:
        self.fold(t)
        self.cal = cal or self.cal
        self.target = target
        self.amounts = [round(target * w) for w in FRACTIONS]
        was_late = self.state in ("breached", "breached_paused")
        paused = self.state in ("paused", "breached_paused")
        if self.used >= target:
            self.k = len(self.amounts)
            self.state = "breached_paused" if paused else "breached"
            if not was_late:
                self.due = t
                return [("breach", t, self.metric, t)]
            return []
        self.k = bisect.bisect_right(self.amounts, self.used)
        self.state = "paused" if paused else "running"
        self.due = None
        return []


#: A naive policy: metric -> its calendar, metric -> priority -> target (minutes), status ->
#: metrics.
Policy = tuple[dict[Metric, NaiveCalendar], dict[Metric, dict[str, int]], dict[str, set[Metric]]]


class NaiveTicket:
    def __init__(self, policy: Policy, priority: str) -> None:
        self.cals, self.targets, self.pause_on = policy
        self.priority = priority
        self.status = "new"
        self.replied = False
        self.clocks: dict[Metric, NaiveClock] = {}
        self.spells: list[tuple[int, str]] = [(0, "new")]
        self.first: int | None = None  # the first agent reply
        self.waiting: int | None = None  # the oldest unanswered message since a reply
        self.cycle: int | None = None  # where the periodic-update cycle started
        self.solved_once = False
        for m in (Metric.FIRST_RESPONSE, Metric.RESOLUTION):
            self.start(m, 0)

    def target(self, m: Metric) -> int | None:
        return self.targets.get(m, {}).get(self.priority)

    def start(self, m: Metric, t: int) -> None:
        target = self.target(m)
        if target is not None:
            paused = m in self.pause_on.get(self.status, set())
            self.clocks[m] = NaiveClock(self.cals[m], m, target, t, paused)

    def live(self, m: Metric) -> NaiveClock | None:
        c = self.clocks.get(m)
        return c if c is not None and c.live() else None

    def poll(self, limit: int) -> list[Event]:
        got: list[tuple[int, int, Event]] = []
        for m in METRICS:
            if m in self.clocks:
                self.clocks[m].poll(limit, got)
        got.sort(key=lambda e: (e[0], e[1]))
        return [e for _, _, e in got]

    def reply(self, t: int) -> list[Event]:
        pre = self.poll(t - 1)
        acts: list[Event] = []
        for m in (Metric.FIRST_RESPONSE, Metric.NEXT_RESPONSE):
            c = self.live(m)
            if c is not None:
                acts.append(c.stop(t))
        if self.status != "solved":
            c = self.live(Metric.PERIODIC_UPDATE)
            if c is not None:
                acts.append(c.stop(t))
            self.start(Metric.PERIODIC_UPDATE, t)
            self.cycle = t
        self.replied = True
        if self.first is None:
            self.first = t
        self.waiting = None
        return pre + acts + self.poll(t)

    def message(self, t: int) -> list[Event]:
        pre = self.poll(t - 1)
        if self.replied and self.status != "solved" and self.live(Metric.NEXT_RESPONSE) is None:
            self.start(Metric.NEXT_RESPONSE, t)
        if self.replied and self.status != "solved" and self.waiting is None:
            self.waiting = t
        return pre + self.poll(t)

    def set_status(self, new: str, t: int) -> list[Event]:
        pre = self.poll(t - 1)
        acts: list[Event] = []
        old, self.status = self.status, new
        if new == old:
            return pre + self.poll(t)  # no move: the clocks only catch up
        self.spells.append((t, new))
        if new == "solved":
            self.solved_once = True
            self.waiting = self.cycle = None
            res = self.live(Metric.RESOLUTION)
            if res is not None:
                acts.append(res.stop(t))
            for m in METRICS[:3]:
                c = self.live(m)
                if c is not None:
                    c.cancel(t)
        else:
            if old == "solved":
                res = self.clocks.get(Metric.RESOLUTION)
                target = self.target(Metric.RESOLUTION)
                if res is not None and res.state in ("met", "met_late"):
                    res.reopen(t)
                    # A change while solved: the target then in force, time used kept.
                    if target is None:
                        res.cancel(t)
                        acts.append(("cancelled", t, Metric.RESOLUTION))
                    elif target != res.target or res.cal is not self.cals[Metric.RESOLUTION]:
                        acts += res.retarget(target, t, self.cals[Metric.RESOLUTION])
                elif target is not None and (res is None or res.state == "cancelled"):
                    self.start(Metric.RESOLUTION, t)  # a resolution gained while solved
                if self.replied:
                    self.start(Metric.PERIODIC_UPDATE, t)
                    if self.live(Metric.NEXT_RESPONSE) is None:
                        self.start(Metric.NEXT_RESPONSE, t)
                    self.cycle = self.waiting = t
            self.apply_pauses(t)
        return pre + acts + self.poll(t)

    def note(self, new: str, t: int) -> list[Event]:
        """A move between statuses that pause nothing, neither solved: only recorded."""
        quiet = ("solved", "closed")
        assert self.status not in quiet
        assert new not in quiet
        assert not self.pause_on.get(self.status)
        assert not self.pause_on.get(new)
        if new != self.status:
            self.spells.append((t, new))
        self.status = new
        return []

    def replay(self, m: Metric, target: int, start: int, t: int) -> NaiveClock | None:
        """The clock *m* would have had with *target* from *start*, up to *t*, in silence."""
        j = 0
        if start > 0:
            while j + 1 < len(self.spells) and self.spells[j + 1][0] <= start:
                j += 1
        status = self.spells[j][1]
        clock = NaiveClock(self.cals[m], m, target, start, m in self.pause_on.get(status, set()))
        sink: list[tuple[int, int, Event]] = []
        stop = self.first if m is Metric.FIRST_RESPONSE else None
        for u, new in self.spells[j + 1 :]:
            if stop is not None and stop <= u:
                break
            clock.poll(u - 1, sink)
            if new == "solved":
                if m is not Metric.RESOLUTION:
                    return None
                clock.stop(u)
            else:
                if status == "solved":
                    clock.reopen(u)
                should = m in self.pause_on.get(new, set())
                if should and clock.counting():
                    clock.pause(u)
                elif not should and clock.state in ("paused", "breached_paused"):
                    clock.resume(u)
                clock.poll(u, sink)
            status = new
        if stop is not None:
            clock.poll(stop - 1, sink)
            clock.stop(stop)
        else:
            clock.poll(t, sink)
        return clock

    def settle(self, clock: NaiveClock, t: int, mode: str, was_late: bool) -> list[Event]:
        """A replayed clock as a change leaves it: used thresholds passed over, a breach the
        replay reached reported now."""
        if clock.state == "paused":
            if clock.used >= clock.target:
                clock.state = "breached_paused"
                clock.k = len(clock.amounts)
                clock.due = clock.mark
            else:
                clock.k = max(clock.k, bisect.bisect_right(clock.amounts, clock.used))
        if clock.state in ("breached", "breached_paused") and not was_late:
            if mode != "retroactive":
                clock.due = t
            return [("breach", t, clock.metric, clock.due)]
        return []

    def change(self, t: int, mode: str, priority: str | None, policy: Policy | None) -> list[Event]:
        """A change of priority or policy (recalculated in *mode*)."""
        pre = self.poll(t - 1)
        acts: list[Event] = []
        old_targets, old = self.targets, self.priority
        if policy is not None:
            self.cals, self.targets, self.pause_on = policy
        if priority is not None:
            self.priority = priority
        solved = self.status == "solved"
        for m in METRICS:
            c = self.clocks.get(m)
            target = self.target(m)
            if c is None or not c.live():
                fresh = c is None or c.state == "cancelled" or old not in old_targets.get(m, {})
                if fresh and target is not None and not solved:
                    acts += self.gain(m, target, t, mode)
            elif target is None:
                c.cancel(t)
                acts.append(("cancelled", t, m))
            elif target != c.target or c.cal is not self.cals[m]:
                if mode == "restart":
                    c.restart(target, self.cals[m], t)
                elif mode == "keep_elapsed":
                    acts += c.retarget(target, t, self.cals[m])
                else:
                    acts += self.retroactive(c, target, t)
        if not solved:
            self.apply_pauses(t)
        return pre + acts + self.poll(t)

    def retroactive(self, c: NaiveClock, target: int, t: int) -> list[Event]:
        """*c* recomputed from its start under *target* on the policy's calendar, through
        its own pauses."""
        fresh = c.replayed(target, self.cals[c.metric], t)
        was_late = c.state in ("breached", "breached_paused")
        late = fresh.state in ("breached", "breached_paused")
        k, due = fresh.k, fresh.due
        if not late and fresh.state == "paused":
            if fresh.used >= target:
                late, k, due = True, len(fresh.amounts), fresh.mark
            else:
                k = max(k, bisect.bisect_right(fresh.amounts, fresh.used))
        paused = not c.counting()
        c.cal, c.target, c.amounts = self.cals[c.metric], target, fresh.amounts
        c.used, c.mark, c.k, c.due = fresh.used, fresh.mark, k, due
        if late:
            c.state = "breached_paused" if paused else "breached"
        else:
            c.state = "paused" if paused else "running"
        if late and not was_late:
            return [("breach", t, c.metric, c.due)]
        return []

    def apply_pauses(self, t: int) -> None:
        paused = self.pause_on.get(self.status, set())
        for m, c in self.clocks.items():
            if m in paused and c.counting():
                c.pause(t)
            elif m not in paused and c.state in ("paused", "breached_paused"):
                c.resume(t)

    def gain(self, m: Metric, target: int, t: int, mode: str) -> list[Event]:
        if mode == "restart":
            if m is Metric.FIRST_RESPONSE:
                gains = not self.replied and not self.solved_once
            elif m is Metric.NEXT_RESPONSE:
                gains = self.waiting is not None
            else:
                gains = m is Metric.RESOLUTION or self.replied
            if gains:
                self.start(m, t)
            return []
        start = {
            Metric.FIRST_RESPONSE: 0,
            Metric.RESOLUTION: 0,
            Metric.NEXT_RESPONSE: self.waiting,
            Metric.PERIODIC_UPDATE: self.cycle,
        }[m]
        if start is None:
            return []
        clock = self.replay(m, target, start, t)
        if clock is None:
            return []
        self.clocks[m] = clock
        if clock.live():
            return self.settle(clock, t, mode, False)
        return []


def plain(events: list[SlaEvent]) -> list[Event]:
    out: list[Event] = []
    for e in events:
        at = (e.at - T0) // MIN
        if isinstance(e, SlaWarning):
            out.append(("warn", at, e.metric, e.threshold, (e.due_at - T0) // MIN))
        elif isinstance(e, SlaBreached):
            out.append(("breach", at, e.metric, (e.due_at - T0) // MIN))
        elif isinstance(e, SlaMet):
            out.append(("met", at, e.metric, e.elapsed // MIN, e.breached))
        else:
            assert isinstance(e, SlaCancelled)
            out.append(("cancelled", at, e.metric))
    return out


STATUSES = ("new", "open", "queued", "assigned", "pending", "on_hold", "solved")
PRIORITIES = ("low", "normal", "high", "urgent")

CALENDARS = {
    # (BusinessCalendar, its naive twin)
    "always": (BusinessCalendar.always_open("UTC"), NaiveCalendar([True] * HORIZON)),
    "office": (
        BusinessCalendar(
            "UTC",
            weekly={
                d: [("09:00", "12:00"), ("13:00", "17:00")]
                for d in ("mon", "tue", "wed", "thu", "fri")
            },
        ),
        weekly([(9 * 60, 12 * 60), (13 * 60, 17 * 60)], 5),
    ),
}

ops = st.lists(
    st.tuples(
        # Minutes after the previous command (0: the same instant); round numbers, so that
        # commands often fall on a threshold or a deadline.
        st.sampled_from((0, 0, 5, 10, 15, 18, 20, 30, 40, 60, 120, 240, 600)),
        st.sampled_from(
            ("reply", "message", "status", "note", "priority", "policy", "advance", "restore")
        ),
        st.sampled_from(STATUSES),
        st.sampled_from(PRIORITIES[1:3]),
    ),
    max_size=30,
)
# A target per metric for some priorities (a metric may gain or lose its target).
targets_st = st.dictionaries(
    st.sampled_from(METRICS),
    st.dictionaries(
        st.sampled_from(PRIORITIES[1:3]), st.integers(1, 12).map(lambda n: 20 * n), min_size=1
    ),
    min_size=1,
)
pause_st = st.fixed_dictionaries({s: st.sets(st.sampled_from(METRICS)) for s in STATUSES[:-1]})


# The policy's calendar, and the metrics that count on the other one (``calendars``).
policy_st = st.tuples(
    st.sampled_from(sorted(CALENDARS)), st.sets(st.sampled_from(METRICS)), targets_st, pause_st
)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    policies=st.tuples(policy_st, policy_st),
    priority=st.sampled_from(PRIORITIES[1:3]),
    mode=st.sampled_from(("keep_elapsed", "restart", "retroactive")),
    script=ops,
)
def test_ticket_sla_agrees_with_the_naive_reference(
    policies: tuple[
        tuple[str, set[Metric], dict[Metric, dict[str, int]], dict[str, set[Metric]]], ...
    ],
    priority: str,
    mode: str,
    script: list[tuple[int, str, str, str]],
) -> None:
    real_policies: dict[str, SlaPolicy] = {}
    naive_policies: dict[str, Policy] = {}
    for name, (cal, others, targets, pause_on) in zip("ab", policies, strict=True):
        other = "always" if cal == "office" else "office"
        own = {m: other if m in others else cal for m in METRICS}
        real_policies[name] = SlaPolicy(
            name,
            CALENDARS[cal][0],
            calendars=dict.fromkeys(others, CALENDARS[other][0]),
            targets={m: {p: n * MIN for p, n in per.items()} for m, per in targets.items()},
            pause_on={s: sorted(ms, key=METRICS.index) for s, ms in pause_on.items() if ms},
        )
        naive_policies[name] = (
            {m: CALENDARS[c][1] for m, c in own.items()},
            targets,
            dict(pause_on),
        )
    real = TicketSla("T-1", real_policies["a"], priority, T0)
    naive = NaiveTicket(naive_policies["a"], priority)
    t = 0
    for gap, op, status, prio in script:
        t += gap
        if t >= HORIZON - 7 * 1440:
            break
        at = T0 + t * MIN
        if op == "reply":
            got, want = real.agent_reply(at), naive.reply(t)
        elif op == "message":
            got, want = real.customer_message(at), naive.message(t)
        elif op == "note" and real.note_status(status, at):
            # A move the clocks need not hear of (the desk's fast path): recorded, not polled.
            got, want = [], naive.note(status, t)
        elif op in ("status", "note"):
            got, want = real.set_status(status, at), naive.set_status(status, t)
        elif op == "priority":
            got = real.change_priority(prio, at, mode)
            want = naive.change(t, mode, prio, None)
        elif op == "policy":
            other = "b" if real.policy.name == "a" else "a"
            got = real.change_policy(real_policies[other], at, mode)
            want = naive.change(t, mode, None, naive_policies[other])
        elif op == "restore":
            data = json.loads(json.dumps(real.to_dict(at_us=us(at))))
            real = TicketSla.from_dict(data, real_policies)
            got, want = real.advance(at), naive.poll(t)
        else:
            got, want = real.advance(at), naive.poll(t)
        assert plain(got) == want, (op, t)
        for m in METRICS:
            clock, ref = real.clock(m), naive.clocks.get(m)
            assert (clock is None) == (ref is None), (m, t)
            if clock is not None and ref is not None:
                assert clock.state.value == ref.state, (m, t)
                assert clock.elapsed(at) == ref.used_at(t) * MIN, (m, t)
                due = ref.due_at()
                assert clock.due_at == (None if due is None else T0 + due * MIN), (m, t)


def us(at: datetime) -> int:
    return (at - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)
