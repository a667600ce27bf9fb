"""Feedback: a customer's rating of a resolved ticket, once per resolution cycle.

The scale is 1 (very dissatisfied) to 5 (very satisfied), the usual CSAT survey; a rating of
4 or 5 counts as *satisfied* (:data:`SATISFIED`).  A ticket's *resolution cycle* is the number
of times it has been resolved: a ticket reopened and resolved again may be rated again, once
for each resolution.  :class:`FeedbackBook` is the desk's memory of which cycle each ticket is
in and which it has been rated for; it holds two integers per ticket the desk still knows.
"""

from __future__ import annotations

from collections.abc import Container, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

from csflow._plain import ENCODABLE, encodable
from csflow._text import show
from csflow.errors import ConfigError, InvalidTransitionError
from csflow.events import FeedbackRecorded, TicketResolved
from csflow.model import TicketStatus

if TYPE_CHECKING:
    from csflow.desk.record import TicketRecord

__all__ = ["MAX_COMMENT_CHARS", "RATING_SCALE", "SATISFIED", "FeedbackBook", "check_feedback"]

#: The ratings a customer may give, lowest first.
RATING_SCALE: Final = range(1, 6)
#: Ratings that count as satisfied in CSAT.
SATISFIED: Final = frozenset({4, 5})
#: The longest comment kept with a rating (characters).
MAX_COMMENT_CHARS: Final = 2000


def check_feedback(rating: object, comment: object) -> tuple[int, str]:
    """Check a rating and its comment.

    Args:
        rating: An int on :data:`RATING_SCALE` (a bool is refused).
        comment: A string of at most :data:`MAX_COMMENT_CHARS` characters, without lone
            surrogates (U+D800-U+DFFF), which no UTF-8 text holds.

    Returns:
        The rating and the comment.

    Raises:
        ConfigError: A rating outside the scale or not an int; a comment that is not a string,
            is too long or holds a lone surrogate.
    """
    if type(rating) is not int or rating not in RATING_SCALE:
        raise ConfigError(
            f"rating must be an int from {RATING_SCALE.start} to {RATING_SCALE.stop - 1}, "
            f"got {show(rating)}"
        )
    if not isinstance(comment, str):
        raise ConfigError(f"comment must be a string, got {show(comment)}")
    if len(comment) > MAX_COMMENT_CHARS:
        raise ConfigError(
            f"comment must be at most {MAX_COMMENT_CHARS} characters, got {len(comment)}"
        )
    if not encodable(comment):
        raise ConfigError(f"comment must be {ENCODABLE}, got {show(comment)}")
    return rating, comment


class FeedbackBook:
    """Which resolution cycle each ticket is in, and the last cycle it was rated for."""

    __slots__ = ("_cycle", "_rated")

    def __init__(self) -> None:
        self._cycle: dict[str, int] = {}
        self._rated: dict[str, int] = {}

    def resolved(self, ticket_id: str) -> None:
        """*ticket_id* was resolved: a new cycle begins, open for a rating."""
        self._cycle[ticket_id] = self._cycle.get(ticket_id, 0) + 1

    def cycle(self, ticket_id: str) -> int:
        """The ticket's current resolution cycle (0: never resolved)."""
        return self._cycle.get(ticket_id, 0)

    def check(self, ticket_id: str) -> int:
        """The cycle a rating of *ticket_id* now would be for.

        Raises:
            InvalidTransitionError: The ticket was never resolved, or this cycle is rated.
        """
        cycle = self._cycle.get(ticket_id, 0)
        if cycle == 0:
            raise InvalidTransitionError(
                f"ticket {show(ticket_id)} has not been resolved: there is nothing to rate"
            )
        if self._rated.get(ticket_id) == cycle:
            raise InvalidTransitionError(
                f"ticket {show(ticket_id)} was already rated for resolution {cycle}"
            )
        return cycle

    def rated(self, ticket_id: str, cycle: int) -> None:
        """Record that *ticket_id* was rated for *cycle*."""
        self._rated[ticket_id] = cycle

    def forget(self, ticket_id: str) -> None:
        """Drop what is known of *ticket_id* (the desk forgot it)."""
        self._cycle.pop(ticket_id, None)
        self._rated.pop(ticket_id, None)

    def __len__(self) -> int:
        return len(self._cycle)

    # -- state snapshots -----------------------------------------------------------------------

    def to_state(self, kept: Container[str]) -> dict[str, list[int]]:
        """The *kept* tickets' cycles as plain data: ``{ticket_id: [cycle, rated cycle]}``
        (rated 0: never rated)."""
        return {
            tid: [cycle, self._rated.get(tid, 0)]
            for tid, cycle in self._cycle.items()
            if tid in kept
        }

    def load_state(
        self,
        data: object,
        known: Container[str] | Mapping[str, TicketRecord],
        path: str = "feedback",
    ) -> None:
        """Fill this (new) book from :meth:`to_state` data; every ticket must be *known*.

        When *known* maps the ids to the desk's ticket records, the cycles are checked against
        them as the desk keeps them: a solved or closed ticket has been resolved (cycle 1 or
        more), and a ticket that keeps its history agrees with it (see :func:`_check_history`).

        Raises:
            ConfigError: Malformed data, an unknown ticket, or cycles a ticket's record
                contradicts, with the path to it.
        """
        if not isinstance(data, dict):
            raise ConfigError(f"expected a mapping, got {show(data)}", path)
        for tid, raw in data.items():
            pair: Any = raw
            if (
                tid not in known
                or not isinstance(pair, list)
                or len(pair) != 2
                or not all(type(x) is int for x in pair)
                or not 0 <= pair[1] <= pair[0]
                or pair[0] < 1
            ):
                raise ConfigError(
                    f"expected [cycle, rated cycle] of a known ticket, got {show(raw)}",
                    f"{path}.{tid}",
                )
            self._cycle[tid] = pair[0]
            if pair[1]:
                self._rated[tid] = pair[1]
        if isinstance(known, Mapping):
            for tid, r in known.items():
                cycle, rated = self._cycle.get(tid, 0), self._rated.get(tid, 0)
                if cycle == 0 and r.state in _RESOLVED:
                    raise ConfigError(
                        f"ticket {show(tid)} is {r.state} but has no resolution cycle: it could "
                        "never be rated",
                        f"{path}.{tid}",
                    )
                if r.history is not None:
                    _check_history(tid, cycle, rated, r.history, f"{path}.{tid}")


#: The states of a resolved ticket (which a rating may be for).
_RESOLVED: Final = frozenset({TicketStatus.SOLVED, TicketStatus.CLOSED})


def _check_history(tid: str, cycle: int, rated: int, history: Sequence[object], path: str) -> None:
    """Refuse a ticket's *cycle* and *rated* cycle that its *history* contradicts.

    A history may lack a beginning (one written after an accepted config change switched
    ``keep_history`` on), never an end; so it tells: at least as many resolutions as it shows;
    after its last rating, that rating's cycle plus the resolutions since, and that rating as
    the last one; without a rating, no rating of a resolution it shows.

    Raises:
        ConfigError: At *path*.
    """
    resolutions = 0  # since the last rating in the history (or its start)
    last: int | None = None  # the last rating's cycle
    for e in history:
        if isinstance(e, TicketResolved):
            resolutions += 1
        elif isinstance(e, FeedbackRecorded):
            last, resolutions = e.cycle, 0
    if last is not None:
        expected: tuple[int, int] | None = (last + resolutions, last)
        ok = (cycle, rated) == expected
    else:
        expected = None
        ok = cycle >= resolutions and rated <= cycle - resolutions
    if not ok:
        told = (
            f"its history has {resolutions} resolution(s) and no rating"
            if expected is None
            else f"its history says [{expected[0]}, {expected[1]}]"
        )
        raise ConfigError(
            f"ticket {show(tid)} at [cycle, rated cycle] [{cycle}, {rated}]; {told}", path
        )
