"""The desk's own timers: SLA deadlines, surveys and closes, for ``next_wakeup`` and
``advance``.

Theory of operation
-------------------
Three heaps.  The SLA heap is ordered by ``(due instant, the ticket's order of submission)``,
so that timers due at one instant fire in the order the tickets came, whatever happened to
their timers before -- re-armings, bounds worked out early or late, a snapshot and restore;
the survey heap by ``(due instant, counter)``, ties in the order they were armed.  Nothing is
removed from the middle of a heap: a timer that stopped mattering stays where it is and is
dropped when it reaches the top, recognised by the ticket's record --

- an SLA timer is live while the ticket's record is the one it was pushed for (its ``order``,
  unique in the desk: a ticket forgotten and submitted again under its id has a new record)
  and the record's ``armed`` is still the instant it was pushed for (re-arming pushes a new
  entry and so retires the old one).  It is pushed for a lower bound
  of the ticket's next SLA event (:meth:`~csflow.sla.TicketSla.next_deadline_bound_us`), which
  costs no calendar search; when a live bound reaches the top of the heap, the true instant is
  worked out and the timer moves there, so the desk's next wake-up is always exact, and a
  ticket answered before its bound is due never asks the calendar for its deadline;
- a survey timer is live while the record is the one it was pushed for and its
  ``survey_version`` is still the one it was pushed with (a reopen or a rating bumps the version);
- a close timer (``DeskConfig.close_solved_after``; heap ordered as the survey heap) is live
  while the record is the one it was pushed for, the ticket is solved, and the record's
  ``closing`` is still the instant it was pushed for (a reopen or a close by hand clears it, a
  new resolution arms a new instant).

A desk that is never advanced (a host that does not watch SLA clocks, a burst of tickets
answered at once) would keep every retired SLA timer, so :meth:`Timers.arm_sla` compacts the
heap in place to its live timers whenever it has doubled since the last compaction: memory
stays proportional to the open tickets, at O(1) amortised cost per arming.  Pops come in the
same order either way (the heap's order is total).

Routing keeps its own timers (relaxation steps, overflow delays, preferred-agent holds); the
desk's next wake-up is the earliest of both.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Container, Iterator, Mapping
from typing import Any, Final

from csflow._text import show
from csflow._time import MAX_US, instant_us
from csflow.desk.record import TicketRecord
from csflow.errors import ConfigError
from csflow.events import FeedbackRecorded, SurveyDue, TicketReopened, TicketResolved
from csflow.model import TicketStatus

__all__ = ["Timers"]

_MIN_LIMIT = 64  # below this many entries the SLA heap is never compacted
# A survey timer is live only for a ticket in one of these states (a reopening retires it).
_SURVEYED: Final = frozenset({TicketStatus.SOLVED, TicketStatus.CLOSED})
_SOLVED: Final = TicketStatus.SOLVED
# A close timer is live only for a solved ticket (a reopening or a close by hand retires it).
_CLOSABLE: Final = frozenset({_SOLVED})


def _check_timer(r: TicketRecord, due_us: int, where: str, kind: str) -> bool:
    """Refuse a survey or close timer (*kind*) at *due_us* that ticket *r*'s record
    contradicts (see :meth:`Timers.load_state`); whether it is live.  A resolution rated since
    is no longer surveyed: its survey timer (which a snapshot written before ratings retired
    surveys holds) is dead, not refused.  Costs one backward scan of the ticket's history, to
    its last resolution at most."""
    tid = r.ticket.id
    survey = kind == "survey"
    if r.state not in (_SURVEYED if survey else _CLOSABLE):
        waits = (
            "solved or closed ticket waits for one" if survey else "solved ticket waits to close"
        )
        raise ConfigError(
            f"a {kind} timer of ticket {show(tid)}, which is {r.state}: only a {waits}", where
        )
    if due_us < r.queued_us:
        raise ConfigError(
            f"a {kind} due at {due_us} µs, before ticket {show(tid)} was last queued "
            f"({r.queued_us} µs), let alone resolved",
            where,
        )
    for e in reversed(r.history or ()):
        if isinstance(e, TicketResolved):
            resolved = instant_us(e.at, "at", ConfigError)
            if due_us < resolved:
                raise ConfigError(
                    f"a {kind} due at {due_us} µs, before ticket {show(tid)} was resolved "
                    f"({resolved} µs)",
                    where,
                )
            return True
        if survey and isinstance(e, FeedbackRecorded):
            return False
        if survey and isinstance(e, TicketReopened | SurveyDue):
            seen = "it reopened" if isinstance(e, TicketReopened) else "its survey fell due"
            raise ConfigError(
                f"a survey timer of ticket {show(tid)}, whose history shows {seen} since its "
                "last resolution",
                where,
            )
    return True


class Timers:
    """The SLA and survey timers of one desk (its counter is the desk's own)."""

    __slots__ = ("_closes", "_seq", "_sla", "_sla_limit", "_survey_of", "_surveys")

    def __init__(self) -> None:
        self._sla: list[tuple[int, int, str]] = []
        self._sla_limit = _MIN_LIMIT  # compact the SLA heap when it grows past this
        self._surveys: list[tuple[int, int, str, int, int]] = []  # (due, seq, id, version, order)
        # Each ticket's last survey timer, (due, version, order), while its entry is in the heap:
        # a command on the ticket asks whether it is overdue in one look-up.
        self._survey_of: dict[str, tuple[int, int, int]] = {}
        self._closes: list[tuple[int, int, str, int]] = []  # (due, seq, id, order)
        self._seq = itertools.count()

    def arm_sla(
        self, r: TicketRecord, due_us: int | None, tickets: Mapping[str, TicketRecord]
    ) -> None:
        """Wake up at *due_us* for *r*'s SLA clocks (``None``: not at all) and make it the
        record's ``armed``; a timer already armed there is kept.  Timers of one instant fire
        in the tickets' order of submission (the record's ``order``).  *tickets* are the
        desk's records, by which retired timers are recognised when the heap is compacted."""
        if due_us is None or due_us == r.armed:
            r.armed = due_us
            return
        r.armed = due_us  # before any compaction, which keeps only what records point to
        heap = self._sla
        heapq.heappush(heap, (due_us, r.order, r.ticket.id))
        if len(heap) > self._sla_limit:
            self._compact_sla(tickets)

    def _compact_sla(self, tickets: Mapping[str, TicketRecord]) -> None:
        """Keep only the live SLA timers, in place (an iteration of :meth:`sla_due` holds the
        list), once each; the next compaction waits until the heap has doubled again."""
        heap = self._sla
        heap[:] = {
            entry
            for entry in heap
            if (r := tickets.get(entry[2])) is not None
            and r.sla is not None
            and r.armed == entry[0]
            and r.order == entry[1]
        }
        heapq.heapify(heap)
        self._sla_limit = max(_MIN_LIMIT, 2 * len(heap))

    def arm_survey(self, due_us: int, r: TicketRecord) -> None:
        """Ask for feedback on *r*'s ticket at *due_us* unless its survey version moves on."""
        heapq.heappush(
            self._surveys, (due_us, next(self._seq), r.ticket.id, r.survey_version, r.order)
        )
        self._survey_of[r.ticket.id] = (due_us, r.survey_version, r.order)

    def _popped_survey(self, entry: tuple[int, int, str, int, int]) -> None:
        """*entry* left the survey heap: so does the index's, when it is that entry's."""
        due, _, tid, version, order = entry
        if self._survey_of.get(tid) == (due, version, order):
            del self._survey_of[tid]

    def overdue_survey(self, r: TicketRecord, before_us: int) -> int | None:
        """The instant of *r*'s live survey timer when it is due before *before_us*, else
        ``None`` (one look-up)."""
        kept = self._survey_of.get(r.ticket.id)
        if kept is None:
            return None
        due, version, order = kept
        if due >= before_us or version != r.survey_version or order != r.order:
            return None
        return due

    def arm_close(self, due_us: int, r: TicketRecord) -> None:
        """Close *r*'s solved ticket at *due_us* unless it is reopened, closed or solved again
        first; makes *due_us* the record's ``closing``."""
        r.closing = due_us
        heapq.heappush(self._closes, (due_us, next(self._seq), r.ticket.id, r.order))

    def next_due(self, tickets: Mapping[str, TicketRecord], routing: int | None) -> int | None:
        """The earliest live timer (µs), or *routing* (routing's next step) when earlier."""
        best = routing
        heap = self._sla
        while heap:
            d, order, tid = heap[0]
            r = tickets.get(tid)
            if r is not None and r.sla is not None and r.armed == d and r.order == order:
                exact = r.sla.next_deadline_us()
                if exact == d:
                    break
                # Armed at a bound: move the timer to the true instant (never earlier).
                r.armed = exact
                if exact is not None:
                    heapq.heapreplace(heap, (exact, order, tid))
                    continue
            heapq.heappop(heap)
        if heap and (best is None or heap[0][0] < best):
            best = heap[0][0]
        surveys = self._surveys
        while surveys:
            _, _, tid, version, order = surveys[0]
            r = tickets.get(tid)
            if r is not None and r.survey_version == version and r.order == order:
                break
            self._popped_survey(heapq.heappop(surveys))
        if surveys and (best is None or surveys[0][0] < best):
            best = surveys[0][0]
        closes = self._closes
        while closes:
            d, _, tid, order = closes[0]
            r = tickets.get(tid)
            if r is not None and r.closing == d and r.order == order and r.state is _SOLVED:
                break
            heapq.heappop(closes)
        if closes and (best is None or closes[0][0] < best):
            best = closes[0][0]
        return best

    def sla_due(self, due_us: int, tickets: Mapping[str, TicketRecord]) -> Iterator[TicketRecord]:
        """Pop the live SLA timers due by *due_us*, disarming each record before it is yielded.

        The caller may arm new timers while iterating; one due by *due_us* is yielded too.
        """
        heap = self._sla
        while heap and heap[0][0] <= due_us:
            d, order, tid = heapq.heappop(heap)
            r = tickets.get(tid)
            if r is None or r.sla is None or r.armed != d or r.order != order:
                continue
            r.armed = None
            yield r

    def surveys_due(
        self, due_us: int, tickets: Mapping[str, TicketRecord]
    ) -> Iterator[TicketRecord]:
        """Pop the live survey timers due by *due_us* (the caller checks the ticket's state)."""
        surveys = self._surveys
        while surveys and surveys[0][0] <= due_us:
            entry = heapq.heappop(surveys)
            self._popped_survey(entry)
            _, _, tid, version, order = entry
            r = tickets.get(tid)
            if r is not None and r.survey_version == version and r.order == order:
                yield r

    def closes_due(
        self, due_us: int, tickets: Mapping[str, TicketRecord]
    ) -> Iterator[TicketRecord]:
        """Pop the live close timers due by *due_us*, clearing each record's ``closing``."""
        closes = self._closes
        while closes and closes[0][0] <= due_us:
            d, _, tid, order = heapq.heappop(closes)
            r = tickets.get(tid)
            if r is not None and r.closing == d and r.order == order and r.state is _SOLVED:
                r.closing = None
                yield r

    # -- state snapshots -----------------------------------------------------------------------

    def _live(
        self, tickets: Mapping[str, TicketRecord]
    ) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
        """The live SLA and survey timers, each ``(due_us, ticket_id)`` in firing order (SLA
        ties in order of submission, survey ties in arming order), one per ticket.  An SLA timer armed at a bound is written at its true
        instant (where it fires), so a snapshot does not depend on which bounds were worked
        out already."""
        sla = []
        for d, order, tid in self._sla:
            r = tickets.get(tid)
            if r is None or r.sla is None or r.armed != d or r.order != order:
                continue
            exact = r.sla.next_deadline_us()
            if exact is not None:
                sla.append((exact, order, tid))
        sla.sort()
        surveys = sorted(
            (d, seq, tid)
            for d, seq, tid, version, order in self._surveys
            if (r := tickets.get(tid)) is not None
            and r.survey_version == version
            and r.order == order
        )
        return (
            list(dict.fromkeys((d, tid) for d, _, tid in sla)),
            list(dict.fromkeys((d, tid) for d, _, tid in surveys)),
        )

    def _live_closes(self, tickets: Mapping[str, TicketRecord]) -> list[tuple[int, str]]:
        """The live close timers, ``(due_us, ticket_id)`` in firing order (ties in arming
        order), one per ticket."""
        live = sorted(
            (d, seq, tid)
            for d, seq, tid, order in self._closes
            if (r := tickets.get(tid)) is not None
            and r.closing == d
            and r.order == order
            and r.state is _SOLVED
        )
        return list(dict.fromkeys((d, tid) for d, _, tid in live))

    def surveys_pending(self, tickets: Mapping[str, TicketRecord]) -> set[str]:
        """The tickets a survey is still due for."""
        return {tid for _, tid in self._live(tickets)[1]}

    def to_state(
        self, tickets: Mapping[str, TicketRecord], kept: Container[str]
    ) -> dict[str, list[list[Any]]]:
        """The live timers of the *kept* tickets as plain data, in firing order:
        ``{"sla": [[due_us, ticket_id], ...], "surveys": [[due_us, ticket_id], ...]}`` (a
        survey timer is for the ticket's current ``survey_version``), and ``"closes"`` (the
        same form) when a solved ticket waits to be closed.  :meth:`load_state` arms them
        afresh in that order, which keeps the order of ties."""
        sla, surveys = self._live(tickets)
        out = {
            "sla": [[d, tid] for d, tid in sla if tid in kept],
            "surveys": [[d, tid] for d, tid in surveys if tid in kept],
        }
        closes = [[d, tid] for d, tid in self._live_closes(tickets) if tid in kept]
        if closes:  # (written only when used: a desk without closes writes what it did)
            out["closes"] = closes
        return out

    def load_state(
        self,
        data: object,
        tickets: Mapping[str, TicketRecord],
        path: str,
        *,
        close_after: int | None = None,
        now: int = 0,
    ) -> None:
        """Arm the timers of a restored desk whose *tickets* are loaded, from :meth:`to_state`
        data.

        The SLA timers are derived, so they are armed afresh from the tickets' own clocks --
        each ticket with an SLA at its clocks' next event
        (:meth:`~csflow.sla.TicketSla.next_deadline_us`), which sets its record's ``armed``
        -- and the ``sla`` list is checked for its form only: a list cut short or edited
        loses no warning and moves no breach.  (Ties fire in order of submission either way.)

        The survey timers are not derived: when a survey falls due (the resolution's instant
        plus the ``survey_delay`` in force then) and whether it has already fired are not in
        the record.  Each is armed as written, in the order written (which keeps the order of
        ties), after checking it against what its ticket says: the ticket is solved or closed;
        and when it keeps its history, the last of its resolutions, reopenings and surveys
        there is a resolution no later than the timer (a survey of a ticket reopened since,
        or one that fired already, is refused).  The close timers (``closes``, absent from
        snapshots without one) likewise, checked the same way (the ticket is solved, its
        last resolution no later than the timer).  They follow the config the desk is
        restored under: with *close_after* ``None`` (its ``close_solved_after``, in µs) they
        are checked and dropped, but for one due before the snapshot's instant *now* (its
        ticket closed then, as a command at *now* would have found: the next advance fires
        it); otherwise a solved ticket without one (solved under a config
        that closed nothing) is given one *close_after* after the snapshot's instant *now*,
        in order of submission.

        Raises:
            ConfigError: Malformed data, a timer of an unknown ticket (or an SLA timer of a
                ticket without an SLA), two timers of one kind for one ticket, a survey or
                close timer its ticket contradicts; with the path to it.
        """
        if not isinstance(data, Mapping) or set(data) - {"closes"} != {"sla", "surveys"}:
            raise ConfigError("expected {'sla', 'surveys'} and maybe 'closes'", path)
        for kind in ("sla", "surveys", "closes"):
            if kind not in data:
                continue
            entries = data[kind]
            if not isinstance(entries, list):
                raise ConfigError(f"expected a list, got {show(entries)}", f"{path}.{kind}")
            seen: set[str] = set()
            for i, raw in enumerate(entries):
                where = f"{path}.{kind}[{i}]"
                if not isinstance(raw, list) or len(raw) != 2 or type(raw[0]) is not int:
                    raise ConfigError(f"expected [due_us, ticket_id], got {show(raw)}", where)
                d, tid = raw
                r = tickets.get(tid) if isinstance(tid, str) else None
                if r is None or tid in seen or (kind == "sla" and r.sla is None):
                    raise ConfigError(
                        f"a timer of unknown ticket {show(tid)} (or without an SLA, or twice)",
                        where,
                    )
                seen.add(tid)
                if kind == "surveys" and _check_timer(r, d, where, "survey"):
                    self.arm_survey(d, r)
                elif kind == "closes":
                    live = _check_timer(r, d, where, "close")  # (checked, even to be dropped)
                    # Without close_after only an overdue timer stays: its ticket closed at
                    # its instant, before the snapshot's (the change came too late for it).
                    if live and (close_after is not None or d < now):
                        self.arm_close(d, r)
        for r in tickets.values():
            if r.sla is not None:
                self.arm_sla(r, r.sla.next_deadline_us(), tickets)
        if close_after is not None:
            due = min(now + close_after, MAX_US)
            for r in tickets.values():  # (in order of submission)
                if r.state is _SOLVED and r.closing is None:
                    self.arm_close(due, r)
