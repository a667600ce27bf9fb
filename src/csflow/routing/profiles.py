"""Routing profiles and relaxation: which queues an agent group serves, in what order and after
what delay (overflow), and how a waiting ticket's requirements widen with time.

A :class:`RoutingProfile` lists :class:`QueueSlot` s; a slot with a *delay* serves a queue
only for tickets that waited at least that long, which is how work overflows to another
group.  A :class:`Relaxation` is a ticket's timed plan of :class:`RelaxationStep` s, each
lowering proficiencies, dropping skills or the language, or moving the ticket to another
queue.  The router fires the steps as timers (:mod:`csflow.routing.waiting`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from datetime import timedelta

import attrs

from csflow._config import MAX_NAME_CHARS, name_set
from csflow._text import show
from csflow._time import ONE_US, duration_us
from csflow.errors import ConfigError
from csflow.queues import DeadlineKey, Signature
from csflow.queues.keys import MAX_ALLOWANCE
from csflow.routing._checks import check_name

__all__ = [
    "QueueSlot",
    "Relaxation",
    "RelaxationStep",
    "RoutingProfile",
    "check_overflow_keys",
    "check_plan",
    "plan_from_state",
    "plan_to_state",
    "profile_table",
    "serves",
    "serving_table",
]


#: The longest *after* of a relaxation step, in microseconds (a queue key's allowance bound).
_MAX_AFTER_US = MAX_ALLOWANCE // ONE_US


def _to_drop(value: Iterable[str]) -> frozenset[str]:
    return name_set(value, "drop", "skill names")


@attrs.frozen
class RelaxationStep:
    """One timed widening of a ticket's requirements.

    Args:
        after: How long after the ticket was queued the step applies: from 0 to 36,525
            days, about a hundred years (``MAX_ALLOWANCE``, as a queue key's allowance).
            A step due after the last instant (year 9999) applies at it.
        proficiency: Lower every minimum proficiency above this value to it
            (``1``: any agent with the skill).
        drop: Skills no longer required.
        any_language: Drop the language requirement.
        overflow_to: Move the ticket to this queue, keeping its place in line: it joins
            that queue as of when it joined the line (its sequence number kept), keyed as
            that queue keys its own tickets -- by the ticket's SLA due instant in a
            :class:`~csflow.queues.DeadlineKey` queue (else its ``fallback``), by allowance
            in an :class:`~csflow.queues.AgingKey` one; the same key when both queues order
            alike, and the key it had when the target's policy is a host's own.  A queue
            ordered by SLA deadline without a ``fallback`` is a target only in the plan of
            a queue ordered the same way, whose tickets all have a due instant: a plan of
            any other queue overflowing to it is refused (:func:`check_overflow_keys`).

    Raises:
        ConfigError: A negative *after* or one beyond 36,525 days (path ``after``), a
            proficiency outside 1-5, an *any_language* that is not a bool, or a step that
            does nothing.
    """

    after: timedelta
    proficiency: int | None = None
    drop: frozenset[str] = attrs.field(factory=frozenset, converter=_to_drop)
    any_language: bool = False
    overflow_to: str | None = None
    _after_us: int = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        after_us = duration_us(self.after, "after", ConfigError)
        if after_us > _MAX_AFTER_US:
            raise ConfigError(
                f"must be at most {MAX_ALLOWANCE.days:,} days (about 100 years), got "
                f"{show(self.after)}",
                "after",
            )
        object.__setattr__(self, "_after_us", after_us)
        p = self.proficiency
        if p is not None and (not isinstance(p, int) or isinstance(p, bool) or not 1 <= p <= 5):
            raise ConfigError(f"proficiency must be an int from 1 to 5 or None, got {show(p)}")
        if not isinstance(self.any_language, bool):
            # Not ``bool()``: a document's "no" or 2 would silently mean true.
            raise ConfigError(f"any_language must be true or false, got {show(self.any_language)}")
        if self.overflow_to is not None:
            check_name("overflow_to", self.overflow_to)
        if p is None and not self.drop and not self.any_language and self.overflow_to is None:
            raise ConfigError(f"relaxation step after {show(self.after)} changes nothing")

    @property
    def after_us(self) -> int:
        """*after* in microseconds."""
        return self._after_us

    def apply(self, signature: Signature) -> Signature:
        """*signature* widened by this step (overflow is not a signature change)."""
        return signature.relaxed(
            proficiency=self.proficiency, drop=self.drop, any_language=self.any_language
        )

    def describe(self) -> str:
        """A phrase for reasons: what the step does."""
        parts = []
        if self.proficiency is not None:
            parts.append(
                "any agent with the skill"
                if self.proficiency == 1
                else f"proficiency >= {self.proficiency}"
            )
        if self.drop:
            parts.append(f"without {', '.join(sorted(self.drop))}")
        if self.any_language:
            parts.append("any language")
        if self.overflow_to is not None:
            parts.append(f"overflow to {self.overflow_to!r}")
        return f"after {self.after}: " + ", ".join(parts)


def _to_steps(value: Iterable[RelaxationStep]) -> tuple[RelaxationStep, ...]:
    if isinstance(value, str | Mapping | AbstractSet) or not isinstance(value, Iterable):
        # A set's order is not the steps' order; a string or a mapping is no list of steps.
        raise ConfigError(f"steps must be a sequence of RelaxationStep, got {show(value)}")
    steps = tuple(value)
    last = -1
    for i, s in enumerate(steps):
        if not isinstance(s, RelaxationStep):
            raise ConfigError(f"steps[{i}]: must be a RelaxationStep, got {show(s)}")
        if s.after_us <= last:
            raise ConfigError(f"steps[{i}]: 'after' must increase, got {show(s.after)}")
        last = s.after_us
    return steps


@attrs.frozen
class Relaxation:
    """A ticket's timed relaxation plan: steps in order of *after*.

    Examples:
        >>> Relaxation((
        ...     RelaxationStep(timedelta(seconds=30), proficiency=3),
        ...     RelaxationStep(timedelta(minutes=2), proficiency=1),
        ...     RelaxationStep(timedelta(minutes=5), overflow_to="general"),
        ... ), name="refunds")  # doctest: +ELLIPSIS
        Relaxation(...)

    Args:
        steps: The steps, in order (a list or a tuple; a set, whose order is not the one
            meant, is refused).
        name: A label for the plan, of at most 64 characters (a state snapshot records it).

    Raises:
        ConfigError: Steps that are not a sequence of :class:`RelaxationStep`, whose *after*
            does not strictly increase, or a *name* that is not such a string.
    """

    steps: tuple[RelaxationStep, ...] = attrs.field(converter=_to_steps)
    name: str = attrs.field(default="")

    @name.validator
    def _v_name(self, _a: attrs.Attribute[str], value: object) -> None:
        if not isinstance(value, str) or len(value) > MAX_NAME_CHARS:
            raise ConfigError(
                f"relaxation name must be a string of at most {MAX_NAME_CHARS} characters, "
                f"got {show(value)}"
            )

    def signature_at(self, base: Signature, step: int) -> Signature:
        """*base* after the first *step* steps."""
        sig = base
        for s in self.steps[:step]:
            sig = s.apply(sig)
        return sig


def plan_to_state(plan: Relaxation) -> dict[str, object]:
    """*plan* as plain data (:func:`plan_from_state` reads it): its name and, per step,
    ``[after_us, proficiency, drop (sorted), any_language, overflow_to]``."""
    return {
        "name": plan.name,
        "steps": [
            [s.after_us, s.proficiency, sorted(s.drop), s.any_language, s.overflow_to]
            for s in plan.steps
        ],
    }


def plan_from_state(data: object, path: str) -> Relaxation:
    """The plan :func:`plan_to_state` wrote.

    Raises:
        ConfigError: Malformed data, or steps no :class:`Relaxation` accepts (with the path).
    """
    if not isinstance(data, Mapping) or set(data) != {"name", "steps"}:
        raise ConfigError(f"expected {{'name', 'steps'}}, got {show(data)}", path)
    name, raw_steps = data["name"], data["steps"]
    if not isinstance(name, str):
        raise ConfigError(f"expected a string, got {show(name)}", f"{path}.name")
    if not isinstance(raw_steps, list):
        raise ConfigError(f"expected a list of steps, got {show(raw_steps)}", f"{path}.steps")
    steps = []
    for i, raw in enumerate(raw_steps):
        where = f"{path}.steps[{i}]"
        if not isinstance(raw, list) or len(raw) != 5:
            raise ConfigError(
                "expected [after_us, proficiency, drop, any_language, overflow_to], got "
                f"{show(raw)}",
                where,
            )
        after_us, proficiency, drop, any_language, overflow_to = raw
        if type(after_us) is not int or not 0 <= after_us <= _MAX_AFTER_US:
            raise ConfigError(
                f"expected microseconds from 0 to {_MAX_AFTER_US:,}, got {show(after_us)}", where
            )
        if not isinstance(drop, list):
            raise ConfigError(f"expected a list of skill names, got {show(drop)}", where)
        try:
            steps.append(
                RelaxationStep(
                    timedelta(microseconds=after_us),
                    proficiency,
                    drop,
                    any_language,
                    overflow_to,
                )
            )
        except ConfigError as exc:
            raise ConfigError(exc.detail, where) from None
    try:
        return Relaxation(steps, name)
    except ConfigError as exc:
        raise ConfigError(exc.detail, path) from None


def _to_delay(value: timedelta | int) -> timedelta:
    if isinstance(value, timedelta):
        duration_us(value, "delay", ConfigError)
        return value
    if type(value) is int and value >= 0:
        return timedelta(microseconds=value)
    raise ConfigError(
        f"delay must be a non-negative timedelta or int microseconds, got {show(value)}"
    )


@attrs.frozen
class QueueSlot:
    """One queue in a routing profile.

    Args:
        queue: The queue's name.
        priority: Lower is served first; queues of equal priority compete by key.
        delay: Serve this queue only for tickets that waited at least this long (overflow).
    """

    queue: str = attrs.field(validator=lambda _s, _a, v: check_name("queue", v))
    priority: int = 1
    delay: timedelta = attrs.field(default=timedelta(0), converter=_to_delay)
    _delay_us: int = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_delay_us", duration_us(self.delay, "delay", ConfigError))

    @property
    def delay_us(self) -> int:
        """*delay* in microseconds."""
        return self._delay_us


def _to_slots(value: Iterable[QueueSlot | str]) -> tuple[QueueSlot, ...]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ConfigError(f"queues must be a collection of QueueSlot, got {show(value)}")
    slots = tuple(QueueSlot(s) if isinstance(s, str) else s for s in value)
    seen: set[str] = set()
    for i, s in enumerate(slots):
        if not isinstance(s, QueueSlot):
            raise ConfigError(f"must be a QueueSlot or a queue name, got {show(s)}", f"queues[{i}]")
        if not isinstance(s.priority, int) or isinstance(s.priority, bool):
            raise ConfigError(f"must be an int, got {show(s.priority)}", f"queues[{i}].priority")
        if s.queue in seen:
            raise ConfigError(f"queue {show(s.queue)} listed twice", f"queues[{i}]")
        seen.add(s.queue)
    return slots


@attrs.frozen
class RoutingProfile:
    """An agent group's routing profile: which queues it serves, in what order, after what delay.

    Examples:
        >>> RoutingProfile("tier1", [QueueSlot("vip", 1), QueueSlot("general", 2, timedelta(minutes=2))])  # doctest: +ELLIPSIS
        RoutingProfile(...)
    """

    name: str = attrs.field()
    queues: tuple[QueueSlot, ...] = attrs.field(converter=_to_slots)

    @name.validator
    def _v_name(self, _a: attrs.Attribute[str], value: object) -> None:
        check_name("routing profile name", value)
        # Agents' records name their profile, and snapshots refuse huge strings.
        if isinstance(value, str) and len(value) > MAX_NAME_CHARS:
            raise ConfigError(
                f"routing profile name must be at most {MAX_NAME_CHARS} characters, "
                f"got {show(value)}"
            )

    def levels(self) -> list[list[QueueSlot]]:
        """The slots grouped by priority, lowest first."""
        out: dict[int, list[QueueSlot]] = {}
        for s in sorted(self.queues, key=lambda s: s.priority):
            out.setdefault(s.priority, []).append(s)
        return list(out.values())


def serves(
    serving: Mapping[str, list[tuple[int, int, str]]], group: str, queue: str, waited_us: int
) -> int | None:
    """The priority at which *group* serves *queue* for a ticket that waited *waited_us*.

    Args:
        serving: Queue -> ``(priority, delay_us, group)`` for every slot naming it, sorted.
        group: The agent group (routing profile name).
        queue: The queue.
        waited_us: How long the ticket waited.

    Returns:
        The slot's priority, or ``None`` when *group* does not serve *queue* yet.
    """
    for prio, delay, g in serving[queue]:
        if g == group and delay <= waited_us:
            return prio
    return None


def check_plan(plan: object, path: str, queues: Collection[str]) -> Relaxation:
    """*plan* as a :class:`Relaxation` whose overflow targets are among *queues*.

    Raises:
        ConfigError: Not a Relaxation, or an overflow to an unknown queue (with its path).
    """
    if not isinstance(plan, Relaxation):
        raise ConfigError(f"must be a Relaxation, got {show(plan)}", path)
    for i, s in enumerate(plan.steps):
        if s.overflow_to is not None and s.overflow_to not in queues:
            raise ConfigError(
                f"unknown queue {show(s.overflow_to)}; known: {show(sorted(queues))}",
                f"{path}.steps[{i}].overflow_to",
            )
    return plan


def _needs_due(policy: object) -> bool:
    """Whether *policy* orders only tickets with an SLA due instant (a :class:`DeadlineKey`
    without a fallback)."""
    return type(policy) is DeadlineKey and policy.fallback is None


def check_overflow_keys(
    plan: Relaxation, path: str, source: str, policies: Mapping[str, object]
) -> None:
    """Refuse a *plan* that would overflow a ticket of queue *source* to a queue whose key
    policy may not order it.

    A queue ordered by SLA deadline without a ``fallback`` holds only tickets with a due
    instant (a desk refuses others there); a ticket may overflow to it only under a plan of
    a queue ordered the same way, whose tickets all joined the line with a due instant.  Under
    the plan of any other queue, a ticket with no due instant (no SLA policy, or its clocks
    met or paused) would land where nothing orders it.

    Args:
        plan: The relaxation plan (its overflow targets are known queues).
        path: Where the plan's steps are, for errors (a step's path is
            ``{path}[i].overflow_to``).
        source: The queue whose tickets follow the plan (where they joined the line).
        policies: Queue name -> its key policy.

    Raises:
        ConfigError: Such an overflow, with the step's path.
    """
    if _needs_due(policies[source]):
        return
    for i, s in enumerate(plan.steps):
        target = s.overflow_to
        if target is not None and _needs_due(policies[target]):
            raise ConfigError(
                f"queue {show(target)} orders by SLA deadline without a fallback, and a "
                f"ticket of queue {show(source)} may have no due instant; expected a "
                "fallback on that queue's key (such as 1h) or another overflow queue",
                f"{path}[{i}].overflow_to",
            )


def profile_table(
    profiles: Iterable[RoutingProfile], queues: Sequence[str]
) -> dict[str, RoutingProfile]:
    """Routing profiles by name, checked against the router's *queues*.

    With no profile, one profile ``"default"`` serves every queue at priority 1, no delay.

    Raises:
        ConfigError: A non-profile, a name used twice, or a slot naming an unknown queue.
    """
    profs = list(profiles)
    if not profs:
        profs = [RoutingProfile("default", [QueueSlot(n) for n in queues])]
    out: dict[str, RoutingProfile] = {}
    for i, p in enumerate(profs):
        if not isinstance(p, RoutingProfile):
            raise ConfigError(f"profiles[{i}]: must be a RoutingProfile, got {show(p)}")
        if p.name in out:
            raise ConfigError(f"profiles[{i}]: profile name {show(p.name)} used twice")
        for j, s in enumerate(p.queues):
            if s.queue not in queues:
                raise ConfigError(
                    f"unknown queue {show(s.queue)}; known: {show(sorted(queues))}",
                    f"profiles[{i}].queues[{j}]",
                )
        out[p.name] = p
    return out


def serving_table(
    profiles: Iterable[RoutingProfile], queues: Iterable[str]
) -> dict[str, list[tuple[int, int, str]]]:
    """Queue -> ``(priority, delay_us, group)`` for every slot naming it, sorted: the groups
    that may take its tickets, best first (what :func:`serves` reads)."""
    serving: dict[str, list[tuple[int, int, str]]] = {n: [] for n in queues}
    for p in profiles:
        for s in p.queues:
            serving[s.queue].append((s.priority, s.delay_us, p.name))
    for slots in serving.values():
        slots.sort()
    return serving
