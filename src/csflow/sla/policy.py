"""SLA policies and targets: what a desk promises, per metric and priority, in business time.

An :class:`SlaPolicy` names a :class:`~csflow.calendar.BusinessCalendar` and, per
:class:`~csflow.model.Metric` and optionally per :class:`~csflow.model.Priority`, a target: an
amount of *business time*, counted on that calendar or on the metric's own (``calendars``: a
first reply around the clock, resolution in office hours).  It builds one :class:`SlaTarget`
per metric and priority, shared by every clock that keeps that promise, with its warnings: at
fractions of the target (``warnings``) and at fixed amounts of business time before it
(``warn_before``).  Its ``pause_on`` maps ticket statuses (the
:class:`~csflow.model.TicketStatus` vocabulary) to the metrics they pause.  Which policy
applies to a ticket is a policy-engine decision; :func:`resolve_policy` only maps the decided
name to the value.  :class:`RecalcMode` names how live clocks follow a change of priority or
policy (the rules are in :mod:`csflow.sla.clock`).
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable, Container, Iterable, Mapping
from datetime import timedelta
from typing import Any, Final

import attrs

from csflow._frozen import FrozenDict
from csflow._text import check_document, check_text, did_you_mean, path_key, show
from csflow._time import ONE_US
from csflow.calendar import BusinessCalendar
from csflow.errors import ConfigError
from csflow.model import Metric, Priority, TicketStatus, parse_member
from csflow.sla._checks import METRICS, join, status_names, ticket_status
from csflow.sla.durations import format_duration, parse_duration

__all__ = [
    "DEFAULT_PAUSE_ON",
    "DEFAULT_WARNINGS",
    "FINAL_STATUSES",
    "PAUSABLE_STATUSES",
    "TICKET_STATUSES",
    "RecalcMode",
    "SlaPolicy",
    "SlaTarget",
    "resolve_policy",
]


# -- vocabulary ------------------------------------------------------------------------------


class RecalcMode(enum.Enum):
    """How a live clock is recalculated when the ticket's priority or SLA policy changes.

    * ``KEEP_ELAPSED`` (default): business time already used counts against the new target.
    * ``RESTART``: a fresh clock from the change instant.
    * ``RETROACTIVE``: recomputed from the clock's start under the new target and calendar,
      replaying the pause history.

    See :mod:`csflow.sla.clock` for the exact rules on warnings and breaches.
    """

    KEEP_ELAPSED = "keep_elapsed"
    RESTART = "restart"
    RETROACTIVE = "retroactive"

    @classmethod
    def parse(cls, value: RecalcMode | str) -> RecalcMode:
        """Return the mode named by *value* (``"restart"`` or a member).

        Raises:
            ConfigError: *value* names no mode.
        """
        return parse_member(cls, value, "recalculation mode")


#: Every ticket status a :class:`~csflow.sla.ticket.TicketSla` understands: the members of
#: :class:`~csflow.model.TicketStatus`, in their declared order.  ``solved`` stops
#: ``RESOLUTION``; ``closed`` and ``abandoned`` are final; the others may pause metrics through
#: ``pause_on``.  Members equal their values, so ``"pending" in TICKET_STATUSES``.
TICKET_STATUSES: Final[tuple[TicketStatus, ...]] = tuple(TicketStatus)
#: Statuses after which nothing about the ticket's SLA changes any more.
FINAL_STATUSES: Final[frozenset[TicketStatus]] = frozenset(
    {TicketStatus.CLOSED, TicketStatus.ABANDONED}
)
#: Statuses that ``pause_on`` may name (all but ``solved`` and the final ones).
PAUSABLE_STATUSES: Final[frozenset[TicketStatus]] = (
    frozenset(TICKET_STATUSES) - FINAL_STATUSES - {TicketStatus.SOLVED}
)

#: The default ``pause_on``: waiting on the customer or on a third party pauses resolution.
DEFAULT_PAUSE_ON: Final[Mapping[TicketStatus, frozenset[Metric]]] = FrozenDict(
    {
        TicketStatus.PENDING: frozenset({Metric.RESOLUTION}),
        TicketStatus.ON_HOLD: frozenset({Metric.RESOLUTION}),
    }
)
#: The default warning thresholds, as fractions of the target.
DEFAULT_WARNINGS: Final[tuple[float, ...]] = (0.5, 0.75, 0.9)
# At most this many warning leads (``warn_before``) per policy or target.
_MAX_LEADS: Final = 16


def _check_duration(value: object, path: str, what: str = "a target") -> timedelta:
    if not isinstance(value, timedelta):
        raise ConfigError(f"{what} must be a datetime.timedelta, got {show(value)}", path)
    if value <= timedelta(0):
        raise ConfigError(f"{what} must be a positive duration, got {show(value)}", path)
    return value


def _norm_warnings(value: object, path: str = "warnings") -> tuple[float, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise ConfigError(f"expected a sequence of fractions in (0, 1), got {show(value)}", path)
    out: list[float] = []
    for i, w in enumerate(value):
        where = f"{path}[{i}]"
        if (
            isinstance(w, bool)
            or not isinstance(w, (int, float))
            or (isinstance(w, float) and not math.isfinite(w))
        ):
            raise ConfigError(
                f"a warning threshold must be a number in (0, 1), got {show(w)}", where
            )
        if not 0 < w < 1:
            raise ConfigError(
                f"a warning threshold must lie strictly between 0 and 1, got {show(w)}", where
            )
        if out and w <= out[-1]:
            raise ConfigError(
                f"warning thresholds must be strictly increasing, got {show(w)} after "
                f"{show(out[-1])}",
                where,
            )
        out.append(float(w))
    return tuple(out)


def _check_lead(value: object, path: str) -> timedelta:
    return _check_duration(value, path, "a warning lead")


def _read_lead(value: object, path: str) -> timedelta:
    """A lead in a document: the duration syntax of targets (:func:`parse_duration`)."""
    try:
        return _check_lead(parse_duration(value, path), path)
    except ConfigError as exc:
        # parse_duration's own words are about targets; the rule is the same for a lead.
        detail = exc.detail.replace("a target must", "a warning lead must", 1)
        raise ConfigError(detail, exc.path) from None


def _norm_leads(
    value: object,
    path: str = "warn_before",
    duration: Callable[[object, str], timedelta] = _check_lead,
) -> tuple[timedelta, ...]:
    """Leads checked (positive, distinct, at most 16), largest first: the order they fire."""
    if isinstance(value, (str, bytes, timedelta)) or not isinstance(value, Iterable):
        raise ConfigError(
            f"expected a sequence of durations before the target, got {show(value)}", path
        )
    out: list[timedelta] = []
    for i, raw in enumerate(value):
        where = f"{path}[{i}]"
        if i >= _MAX_LEADS:
            raise ConfigError(
                f"at most {_MAX_LEADS} warning leads are allowed, got another: {show(raw)}", where
            )
        lead = duration(raw, where)
        if lead in out:
            raise ConfigError(f"warning lead {show(raw)} is given twice", where)
        out.append(lead)
    return tuple(sorted(out, reverse=True))


def _metric_key(key: object, seen: Container[Metric], path: str) -> Metric:
    """A mapping's key as a metric, not one of *seen* (a metric given twice, as ``"resolution"``
    and ``Metric.RESOLUTION``), with the path to a bad one."""
    try:
        metric = Metric.parse(key)  # type: ignore[arg-type]
    except ConfigError as exc:
        raise ConfigError(
            exc.detail, path_key(path, key) if isinstance(key, str) else path
        ) from None
    if metric in seen:
        raise ConfigError(f"metric {show(metric.value)} is given twice", path)
    return metric


def _norm_targets(
    value: object,
    path: str = "targets",
    duration: Callable[[object, str], timedelta] = _check_duration,
) -> Mapping[Metric, timedelta | Mapping[Priority, timedelta]]:
    """Targets checked and frozen; *duration* reads each one (a timedelta, or plain data)."""
    if not isinstance(value, Mapping):
        raise ConfigError(f"expected a mapping of metric -> target, got {show(value)}", path)
    out: dict[Metric, timedelta | Mapping[Priority, timedelta]] = {}
    for key, target in value.items():
        metric = _metric_key(key, out, path)
        where = join(path, metric.value)
        if isinstance(target, Mapping):
            per: dict[Priority, timedelta] = {}
            for pkey, raw in target.items():
                try:
                    priority = Priority.parse(pkey)
                except ConfigError as exc:
                    bad = path_key(where, pkey) if isinstance(pkey, str) else where
                    raise ConfigError(exc.detail, bad) from None
                if priority in per:
                    raise ConfigError(f"priority {show(str(priority))} is given twice", where)
                per[priority] = duration(raw, join(where, str(priority)))
            if not per:
                raise ConfigError("expected at least one priority -> target", where)
            out[metric] = FrozenDict(dict(sorted(per.items())))
        else:
            out[metric] = duration(target, where)
    return FrozenDict({m: out[m] for m in METRICS if m in out})


def _norm_pause_on(
    value: object, path: str = "pause_on"
) -> Mapping[TicketStatus, frozenset[Metric]]:
    if not isinstance(value, Mapping):
        raise ConfigError(f"expected a mapping of status -> metrics, got {show(value)}", path)
    out: dict[TicketStatus, frozenset[Metric]] = {}
    for key, metrics in value.items():
        status = ticket_status(key)
        if status is None or status not in PAUSABLE_STATUSES:
            raise ConfigError(
                f"a pausing status must be one of {sorted(status_names(PAUSABLE_STATUSES))}, "
                f"got {show(key)}",
                path_key(path, key) if isinstance(key, str) else path,
            )
        where = join(path, status.value)
        if isinstance(metrics, (str, Metric)) or not isinstance(metrics, Iterable):
            raise ConfigError(f"expected a list of metrics, got {show(metrics)}", where)
        parsed: set[Metric] = set()
        for i, m in enumerate(metrics):
            try:
                parsed.add(Metric.parse(m))
            except ConfigError as exc:
                raise ConfigError(exc.detail, f"{where}[{i}]") from None
        out[status] = frozenset(parsed)
    return FrozenDict(dict(sorted(out.items())))


def _norm_calendars(
    value: object,
    path: str = "calendars",
    read: Callable[[object, str], BusinessCalendar] | None = None,
) -> Mapping[Metric, BusinessCalendar]:
    """Per-metric calendars checked and frozen, in :class:`~csflow.model.Metric` order.

    *read* turns a document's value (a calendar's name or data) into a calendar; without it
    a value must be a :class:`~csflow.calendar.BusinessCalendar` already.
    """
    if not isinstance(value, Mapping):
        raise ConfigError(f"expected a mapping of metric -> calendar, got {show(value)}", path)
    out: dict[Metric, BusinessCalendar] = {}
    for key, raw in value.items():
        metric = _metric_key(key, out, path)
        where = join(path, metric.value)
        if read is not None:
            raw = read(raw, where)
        if not isinstance(raw, BusinessCalendar):
            raise ConfigError(
                f"a metric's calendar must be a BusinessCalendar, got {show(raw)}", where
            )
        out[metric] = raw
    return FrozenDict({m: out[m] for m in METRICS if m in out})


def _read_calendar(
    value: object, calendars: Mapping[str, BusinessCalendar] | None, path: str
) -> BusinessCalendar:
    """A calendar in a document: a name in *calendars*, a calendar, or inline data."""
    if isinstance(value, str):
        known = calendars or {}
        if value not in known:
            raise ConfigError(
                f"unknown calendar {show(value)}; known calendars: {sorted(known)}"
                f"{did_you_mean(value, known)}",
                path,
            )
        return known[value]
    if isinstance(value, BusinessCalendar):
        return value
    return BusinessCalendar.from_dict(value, path=path)


# -- targets and policies --------------------------------------------------------------------


def _to_metric(value: Metric | str) -> Metric:
    return Metric.parse(value)


def _to_warnings(value: Iterable[float]) -> tuple[float, ...]:
    return _norm_warnings(value)


def _to_leads(value: Iterable[timedelta]) -> tuple[timedelta, ...]:
    return _norm_leads(value)


# Field metadata read by the desk's config fingerprint (csflow.desk.fingerprint): a field added
# after configs were first fingerprinted is left out while it holds its default, so that every
# saved desk whose config does not use it keeps its fingerprint (and its snapshots restore);
# values worked out from other fields are left out always.
_ADDED_FIELD: Final = {"csflow.fingerprint": "omit_default"}
_DERIVED_FIELD: Final = {"csflow.fingerprint": "skip"}


@attrs.frozen
class SlaTarget:
    """One promise: *duration* of business time on *calendar* for *metric*, with warnings.

    A policy builds one per metric and priority and shares it between all clocks that use it;
    :meth:`SlaPolicy.target` returns it.  You build one yourself only to drive an
    :class:`~csflow.sla.clock.SlaClock` directly.

    Args:
        metric: What is measured.
        duration: The target, an amount of business time (positive).
        calendar: The business hours the time counts on.
        warnings: Fractions of the target at which an :class:`~csflow.events.SlaWarning` fires, strictly
            increasing in (0, 1).
        warn_before: Amounts of business time before the target at which an
            :class:`~csflow.events.SlaWarning` fires (positive, distinct, at most 16, in any
            order; stored largest first, the order they fire).  A lead at or beyond the target
            has nothing to warn before and is skipped.

    Attributes:
        warn_us: Every warning of the clock as business µs from the start, sorted: the
            fractions (rounded to the µs) and ``target - lead`` for each lead shorter than the
            target, a lead falling on a fraction's µs counted once.
        warn_thresholds: Parallel to ``warn_us``: the ``threshold`` each warning reports (the
            fraction itself, or ``(target - lead) / target`` for a lead).

    Raises:
        ConfigError: A bad metric, duration, calendar, threshold or lead.
    """

    metric: Metric = attrs.field(converter=_to_metric)
    duration: timedelta = attrs.field()
    calendar: BusinessCalendar = attrs.field()
    warnings: tuple[float, ...] = attrs.field(default=DEFAULT_WARNINGS, converter=_to_warnings)
    warn_before: tuple[timedelta, ...] = attrs.field(
        default=(), converter=_to_leads, kw_only=True, metadata=_ADDED_FIELD
    )
    # Integer forms used on hot paths, computed once.
    target_us: int = attrs.field(init=False, eq=False, repr=False)
    warn_us: tuple[int, ...] = attrs.field(init=False, eq=False, repr=False)
    warn_thresholds: tuple[float, ...] = attrs.field(
        init=False, eq=False, repr=False, metadata=_DERIVED_FIELD
    )

    @duration.validator
    def _v_duration(self, _a: attrs.Attribute[timedelta], value: timedelta) -> None:
        _check_duration(value, "duration")

    @calendar.validator
    def _v_calendar(self, _a: attrs.Attribute[BusinessCalendar], value: BusinessCalendar) -> None:
        if not isinstance(value, BusinessCalendar):
            raise ConfigError(f"calendar must be a BusinessCalendar, got {show(value)}")

    def __attrs_post_init__(self) -> None:
        target_us = self.duration // ONE_US
        object.__setattr__(self, "target_us", target_us)
        # Rounded to the microsecond; monotone in the threshold, so still non-decreasing.
        fractions = [round(target_us * w) for w in self.warnings]
        if not self.warn_before:  # the common case: exactly the thresholds of old
            object.__setattr__(self, "warn_us", tuple(fractions))
            object.__setattr__(self, "warn_thresholds", self.warnings)
            return
        points = list(zip(fractions, self.warnings, strict=True))
        taken = set(fractions)
        for lead in self.warn_before:
            u = target_us - lead // ONE_US
            if u > 0 and u not in taken:  # a lead at or past the target warns of nothing
                taken.add(u)
                points.append((u, u / target_us))
        points.sort(key=lambda p: p[0])  # stable: fractions that round alike keep their order
        object.__setattr__(self, "warn_us", tuple(u for u, _ in points))
        object.__setattr__(self, "warn_thresholds", tuple(w for _, w in points))


def _default_pause_on() -> Mapping[TicketStatus, frozenset[Metric]]:
    return DEFAULT_PAUSE_ON


def _to_targets(value: Any) -> Mapping[Metric, timedelta | Mapping[Priority, timedelta]]:
    return _norm_targets(value)


def _to_pause_on(value: Any) -> Mapping[TicketStatus, frozenset[Metric]]:
    return _norm_pause_on(value)


def _to_calendars(value: Any) -> Mapping[Metric, BusinessCalendar]:
    return _norm_calendars(value)


# The default of ``calendars``: a value, not a factory, so that the fingerprint leaves the
# field out while it is empty (``_ADDED_FIELD``: a factory default always counts).
_NO_CALENDARS: Final[Mapping[Metric, BusinessCalendar]] = FrozenDict({})


#: The keys of an SLA policy's plain-data form (:meth:`SlaPolicy.from_dict`).
SLA_POLICY_KEYS: Final = (
    "name",
    "calendar",
    "calendars",
    "targets",
    "warnings",
    "warn_before",
    "pause_on",
)


@attrs.frozen
class SlaPolicy:
    """The promises a desk makes for a class of tickets: a target per metric and priority.

    Args:
        name: The policy's name (what a rule's ``sla_policy`` decision names): at most 256
            characters, without lone surrogates (U+D800-U+DFFF; UTF-8 cannot write one).
        calendar: The business hours the targets count on (each metric's, unless
            ``calendars`` gives it its own); use ``BusinessCalendar.always_open()`` for 24/7
            channels.
        targets: Metric (or its name) -> a positive ``timedelta`` for every priority, or a
            mapping priority (or its name) -> ``timedelta``.  A metric or a priority that is not
            listed has no target: no clock runs for it.
        warnings: Fractions of each target at which an :class:`~csflow.events.SlaWarning` fires, strictly
            increasing in (0, 1); ``()`` for none.
        warn_before: Amounts of business time before each target at which an
            :class:`~csflow.events.SlaWarning` fires ("15 minutes before the first response is
            due"): positive ``timedelta`` values, distinct, at most 16, in any order (stored
            largest first, the order they fire).  Its ``threshold`` is the fraction of the
            target used by then.  A lead at or beyond a target is skipped for that target.
            Default ``()``.
        calendars: Metric (or its name) -> the calendar that metric's targets count on,
            instead of ``calendar`` ("first reply within a minute around the clock,
            resolution within two days of office hours", in one policy).  Keyword only;
            default empty: every metric counts on ``calendar``.  The stored mapping is
            read-only, keyed by ``Metric`` members in their declared order.  An override
            equal to ``calendar`` is kept as written (it changes no deadline).  A metric
            given a calendar but no target is allowed -- no clock counts on it --, and
            :meth:`DeskConfig.lint <csflow.desk.DeskConfig.lint>` warns of it.
        pause_on: Ticket status (a :class:`~csflow.model.TicketStatus` or its value) -> the
            metrics (or their names) it pauses; statuses from :data:`PAUSABLE_STATUSES`.
            Default :data:`DEFAULT_PAUSE_ON` (``pending`` and ``on_hold`` pause
            ``RESOLUTION``).  The stored mapping's keys are ``TicketStatus`` members.

    Raises:
        ConfigError: A bad name, calendar, metric, priority, target, threshold, lead or
            status; a key of ``calendars`` that names no metric (at ``calendars.<key>``) or a
            value that is not a ``BusinessCalendar`` (at ``calendars.<metric>``).

    Examples:
        >>> from datetime import timedelta
        >>> from csflow.calendar import BusinessCalendar
        >>> from csflow.model import Metric, Priority, TicketStatus, parse_member
        >>> policy = SlaPolicy(
        ...     "platinum-chat",
        ...     BusinessCalendar.always_open(),
        ...     targets={
        ...         Metric.FIRST_RESPONSE: timedelta(minutes=1),
        ...         Metric.RESOLUTION: {Priority.URGENT: timedelta(hours=4),
        ...                             Priority.NORMAL: timedelta(hours=24)},
        ...     },
        ... )
        >>> policy.target(Metric.RESOLUTION, Priority.URGENT).duration
        datetime.timedelta(seconds=14400)
        >>> policy.target(Metric.RESOLUTION, Priority.LOW) is None
        True

        Round-the-clock first reply, resolution in office hours:

        >>> office = BusinessCalendar(
        ...     "Asia/Jakarta", weekly={d: [("09:00", "17:00")] for d in ("mon", "fri")}
        ... )
        >>> mixed = SlaPolicy(
        ...     "chat",
        ...     BusinessCalendar.always_open("Asia/Jakarta"),
        ...     targets={"first_response": timedelta(minutes=1), "resolution": timedelta(hours=16)},
        ...     calendars={"resolution": office},
        ... )
        >>> mixed.target("resolution", "normal").calendar == office
        True
        >>> mixed.calendar_for(Metric.FIRST_RESPONSE) == mixed.calendar
        True
        >>> len(mixed.calendars_used)
        2
    """

    name: str = attrs.field()
    calendar: BusinessCalendar = attrs.field()
    targets: Mapping[Metric, timedelta | Mapping[Priority, timedelta]] = attrs.field(
        converter=_to_targets, hash=False
    )
    warnings: tuple[float, ...] = attrs.field(default=DEFAULT_WARNINGS, converter=_to_warnings)
    pause_on: Mapping[TicketStatus, frozenset[Metric]] = attrs.field(
        factory=_default_pause_on, converter=_to_pause_on, hash=False
    )
    warn_before: tuple[timedelta, ...] = attrs.field(
        default=(), converter=_to_leads, kw_only=True, metadata=_ADDED_FIELD
    )
    calendars: Mapping[Metric, BusinessCalendar] = attrs.field(
        default=_NO_CALENDARS,
        converter=_to_calendars,
        kw_only=True,
        hash=False,
        metadata=_ADDED_FIELD,
    )
    _specs: Mapping[tuple[Metric, Priority], SlaTarget] = attrs.field(
        init=False, repr=False, eq=False, hash=False
    )
    _paused_by: Mapping[TicketStatus, tuple[bool, ...]] = attrs.field(
        init=False, repr=False, eq=False, hash=False
    )

    @name.validator
    def _v_name(self, _a: attrs.Attribute[str], value: str) -> None:
        if not isinstance(value, str) or not value or len(value) > 256:
            raise ConfigError(
                "SLA policy name must be a non-empty string of at most 256 characters, got "
                f"{show(value)}"
            )
        # (The name is written in every SLA event and report: as UTF-8.)
        check_text(value, "name")

    @calendar.validator
    def _v_calendar(self, _a: attrs.Attribute[BusinessCalendar], value: BusinessCalendar) -> None:
        if not isinstance(value, BusinessCalendar):
            raise ConfigError(f"SLA policy calendar must be a BusinessCalendar, got {show(value)}")

    def __attrs_post_init__(self) -> None:
        specs: dict[tuple[Metric, Priority], SlaTarget] = {}
        leads = self.warn_before
        for metric, target in self.targets.items():
            calendar = self.calendars.get(metric, self.calendar)
            if isinstance(target, Mapping):
                for priority, duration in target.items():
                    specs[(metric, priority)] = SlaTarget(
                        metric, duration, calendar, self.warnings, warn_before=leads
                    )
            else:
                shared = SlaTarget(metric, target, calendar, self.warnings, warn_before=leads)
                for priority in Priority:
                    specs[(metric, priority)] = shared
        object.__setattr__(self, "_specs", FrozenDict(specs))
        # status -> one flag per metric (in Metric order): the hot path of TicketSla.
        paused_by = {
            status: tuple(m in metrics for m in METRICS)
            for status, metrics in self.pause_on.items()
        }
        object.__setattr__(self, "_paused_by", FrozenDict(paused_by))

    def target(self, metric: Metric | str, priority: Priority | str | int) -> SlaTarget | None:
        """The target for *metric* at *priority*, or ``None`` when the policy sets none.

        Raises:
            ConfigError: *metric* or *priority* names nothing.
        """
        return self._specs.get((Metric.parse(metric), Priority.parse(priority)))

    def calendar_for(self, metric: Metric | str) -> BusinessCalendar:
        """The calendar *metric*'s targets count on: its own in ``calendars``, else ``calendar``.

        Raises:
            ConfigError: *metric* names no metric.
        """
        return self.calendars.get(Metric.parse(metric), self.calendar)

    @property
    def calendars_used(self) -> tuple[BusinessCalendar, ...]:
        """The distinct calendars of the policy: ``calendar`` first, then those of
        ``calendars`` in :class:`~csflow.model.Metric` order, each once (by equality).

        What a host checks every instant against (a zone that cannot date it), whether a
        metric with that calendar has a target or not.
        """
        out = [self.calendar]
        for calendar in self.calendars.values():
            if calendar not in out:
                out.append(calendar)
        return tuple(out)

    def pauses(self, status: TicketStatus | str, metric: Metric | str) -> bool:
        """Whether ticket status *status* pauses *metric* under this policy.

        Args:
            status: A :class:`~csflow.model.TicketStatus` or its value; a status that names
                nothing pauses nothing.
            metric: A :class:`~csflow.model.Metric` or its name.

        Raises:
            ConfigError: *metric* names no metric.
        """
        paused = Metric.parse(metric)
        key = ticket_status(status)
        return key is not None and paused in self.pause_on.get(key, frozenset())

    # -- plain-data form ---------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The policy as JSON-compatible data; :meth:`from_dict` reads it back.

        Targets (and ``warn_before`` leads, written only when there are some) are ISO-8601
        durations in hours, minutes and seconds (``"PT24H"``); the calendar is written inline
        (:meth:`BusinessCalendar.to_dict`), and so are the per-metric ``calendars``, under
        ``"calendars"`` (``{"resolution": {...}}``) right after it, written only when there
        are some.
        """
        targets: dict[str, Any] = {}
        for metric, target in self.targets.items():
            if isinstance(target, Mapping):
                targets[metric.value] = {str(p): format_duration(d) for p, d in target.items()}
            else:
                targets[metric.value] = format_duration(target)
        out: dict[str, Any] = {"name": self.name, "calendar": self.calendar.to_dict()}
        if self.calendars:  # absent when empty: documents without it read as before
            out["calendars"] = {m.value: c.to_dict() for m, c in self.calendars.items()}
        out["targets"] = targets
        out["warnings"] = list(self.warnings)
        if self.warn_before:  # absent when empty: documents without leads read as before
            out["warn_before"] = [format_duration(d) for d in self.warn_before]
        out["pause_on"] = {
            status.value: [m.value for m in METRICS if m in metrics]
            for status, metrics in self.pause_on.items()
        }
        return out

    @classmethod
    def from_dict(
        cls,
        data: object,
        calendars: Mapping[str, BusinessCalendar] | None = None,
        path: str = "sla_policy",
    ) -> SlaPolicy:
        """Build a policy from JSON-compatible data.

        Shape::

            {"name": "regular-email",
             "calendar": "jakarta-office",          # a name in *calendars*, or inline data
             "calendars": {"first_response": "24x7"}, # optional: per metric, the same way
             "targets": {"first_response": "PT8H",
                         "resolution": {"urgent": "PT4H", "normal": 86400}},
             "warnings": [0.5, 0.75, 0.9],           # optional
             "warn_before": ["PT15M", 300],          # optional: before each target
             "pause_on": {"pending": ["resolution"]}} # optional

        Args:
            data: The mapping above.
            calendars: Named calendars that ``"calendar"`` and the values of
                ``"calendars"`` may refer to.
            path: Where *data* sits in a larger document, for error messages.

        Raises:
            ConfigError: Anything malformed, with the path to it, e.g.
                ``sla_policies[2].targets.resolution.urgent: a target must be ...`` or
                ``sla_policies[0].calendars.first_response: unknown calendar '24x7' ...``.
        """
        if not isinstance(data, Mapping):
            raise ConfigError(f"expected a mapping, got {show(data)}", path)
        allowed = SLA_POLICY_KEYS
        for key in data:
            if key not in allowed:
                raise ConfigError(
                    f"unknown key {show(key)}; expected one of {sorted(allowed)}"
                    f"{did_you_mean(key, allowed)}",
                    path,
                )
        # A name (or any string) that cannot be written as UTF-8, at its path.
        check_document(data, path)
        for key in ("name", "calendar", "targets"):
            if key not in data:
                raise ConfigError(f"missing required key {show(key)}", path)
        name = data["name"]
        if not isinstance(name, str) or not name or len(name) > 256:
            raise ConfigError(
                f"expected a non-empty string of at most 256 characters, got {show(name)}",
                join(path, "name"),
            )
        check_text(name, join(path, "name"))
        calendar = _read_calendar(data["calendar"], calendars, join(path, "calendar"))
        per_metric = _norm_calendars(
            data.get("calendars", {}),
            join(path, "calendars"),
            lambda raw, where: _read_calendar(raw, calendars, where),
        )
        tpath = join(path, "targets")
        norm_targets = _norm_targets(data["targets"], tpath, parse_duration)
        warnings = _norm_warnings(data.get("warnings", DEFAULT_WARNINGS), join(path, "warnings"))
        leads = _norm_leads(data.get("warn_before", ()), join(path, "warn_before"), _read_lead)
        pause_on = _norm_pause_on(data.get("pause_on", DEFAULT_PAUSE_ON), join(path, "pause_on"))
        return cls(
            name,
            calendar,
            norm_targets,
            warnings,
            pause_on,
            warn_before=leads,
            calendars=per_metric,
        )


def resolve_policy(name: object, policies: Mapping[str, SlaPolicy]) -> SlaPolicy:
    """The policy called *name* in *policies* (e.g. a rule decision's ``sla_policy``).

    Which policy applies is a policy-engine decision; this only maps the decided name to the
    value, so that the SLA layer stays independent of the rule engine.

    Raises:
        ConfigError: No policy has that name.
    """
    policy = policies.get(name) if isinstance(name, str) else None
    if policy is None:
        raise ConfigError(
            f"unknown SLA policy {show(name)}; known policies: {sorted(policies)}"
            f"{did_you_mean(name, policies)}"
        )
    return policy
