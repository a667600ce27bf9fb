"""Stories: a scenario that reads like one ("Fri 16:00 a platinum customer opens a chat; Mon
09:00 agent Sari replies"), run step by step against a real desk.

Theory of operation
-------------------
A story has a first day (an aware midnight, in the zone its wall-clock times are read in).
Every step names its instant as text, parsed by :meth:`Story.at` alone -- the parse never
depends on earlier steps, so a step can be read (and moved) on its own:

* ``"09:00"`` or ``"09:00:30"`` -- that time on the first day;
* ``"Mon 09:00"`` (``mon`` ... ``sun``, or the full name) -- that weekday within the story's
  first week, i.e. the first such day on or after the first day;
* ``"+1d 09:00"`` -- so many days after the first day;
* ``"2026-03-09 09:00"`` -- that date.

Wall-clock times are combined with the day's zone, so a story across a DST change reads as a
person at the desk would write it.  A time the clocks skip that day (``"02:30"`` when they go
from 02:00 to 03:00) does not exist and is refused; a time they repeat (``"01:30"`` when they
go back from 02:00 to 01:00) is its first occurrence, before the change (``fold=0``) -- a test
that needs the second one calls the desk itself with an explicit instant.  A malformed or
nonexistent step raises :class:`~csflow.errors.ConfigError` quoting the step; a step earlier
than the previous one is refused by the desk (:class:`~csflow.errors.InvalidTransitionError`).

A step first advances the desk to its time, then runs its command.  When the desk refuses the
command, the step raises the desk's error, and the desk has still moved: its clock is at the
step's time, and what the advance fired (warnings, breaches, relaxations ...) happened and is
kept in :attr:`Story.events` (and in the desk's history); the refused command itself changed
nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import attrs

from csflow._time import instant_us
from csflow.desk import Desk, DeskConfig
from csflow.errors import ConfigError, CsflowError, InvalidTransitionError
from csflow.events import Event
from csflow.model import AgentProfile, Channel, Customer, Ticket, Tier
from csflow.testing.command import Command

__all__ = ["Story"]

_STEP = re.compile(
    r"^(?:(?P<weekday>[A-Za-z]+)\s+|\+(?P<days>\d{1,4})d\s+|(?P<date>\d{4}-\d{2}-\d{2})\s+)?"
    r"(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2}))?\Z",
    re.ASCII,  # (\d is any script's digit otherwise, and $ matches before a final newline)
)
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_FORMS = "'HH:MM[:SS]', 'Mon HH:MM', '+1d HH:MM' or 'YYYY-MM-DD HH:MM'"
# What customer_opens passes on: the Ticket fields it does not set itself, and the customer's
# preferred agent.
_OPEN_FIELDS = frozenset(
    {a.name for a in attrs.fields(Ticket)} - {"id", "customer", "channel", "created_at"}
) | {"preferred_agent"}


def _weekday(name: str, step: str) -> int:
    low = name.lower()
    for i, full in enumerate(_WEEKDAYS):
        if low in (full, full[:3]):
            return i
    raise ConfigError(f"story step {step!r}: unknown day {name!r}; expected mon ... sun")


class Story:
    """A scenario that reads like one, run against a real desk.

    Args:
        desk: The desk (or a :class:`~csflow.desk.DeskConfig` to build one from).
        day: The story's first day (aware midnight, in the zone its times are read in).

    Every step takes a time (see :meth:`at`: ``"09:00"``, ``"Fri 16:00"``, ``"+1d 09:00"``,
    ``"2026-03-09 09:00"``), advances the desk to it (firing what is due), runs the command,
    and keeps every event in :attr:`events`; each step returns the events of that step
    (advance included).  A step whose command the desk refuses raises the desk's error; what
    its advance fired is still kept in :attr:`events` (the desk's clock has moved to the
    step's time), and the refused command changed nothing.

    Raises:
        InvalidTransitionError: *day* is naive.

    Examples:
        >>> from datetime import timezone
        >>> from csflow.desk import DeskConfig
        >>> s = Story(DeskConfig(), datetime(2026, 3, 6, tzinfo=timezone.utc))  # a Friday
        >>> _ = s.agent("Fri 09:00", "sari", chat=3)
        >>> _ = s.customer_opens("Fri 16:00", "t1", "chat", tier="platinum")
        >>> s.holder("t1")
        'sari'
        >>> s.at("Mon 09:00").isoformat()
        '2026-03-09T09:00:00+00:00'
    """

    def __init__(self, desk: Desk | DeskConfig, day: datetime) -> None:
        self.desk = desk if isinstance(desk, Desk) else Desk(desk)
        instant_us(day, "day", InvalidTransitionError)
        self.day = day
        self.events: list[Event] = []
        self._tiers: dict[str, Tier] = dict(self.desk.config.tiers)

    def at(self, clock: str) -> datetime:
        """The instant a step names.

        Args:
            clock: ``"HH:MM[:SS]"`` on the first day; ``"Mon HH:MM"`` (the first Monday on or
                after the first day; any weekday, short or full name); ``"+Nd HH:MM"`` (N days
                after the first day); or ``"YYYY-MM-DD HH:MM"``.

        A wall-clock time is read in the first day's zone.  One the clocks skip that day (a
        DST gap) is refused; one they repeat (the hour after a fall-back) is its first
        occurrence, before the change.

        Returns:
            The aware instant, in the first day's zone.

        Raises:
            ConfigError: A malformed step, quoted in the message; a time that does not exist
                on that day in that zone (naming the time, the date and the zone); a day
                past year 9999 (or an instant before year 1 or after 9999 in UTC).
        """
        m = _STEP.match(clock) if isinstance(clock, str) else None
        if m is None:
            raise ConfigError(f"story step {clock!r}: expected {_FORMS}")
        h, mi, s = int(m["h"]), int(m["m"]), int(m["s"] or 0)
        if h > 23 or mi > 59 or s > 59:
            raise ConfigError(f"story step {clock!r}: no such time of day")
        first = self.day.date()
        day: date
        zone = self.day.tzinfo
        try:
            if m["weekday"] is not None:
                wanted = _weekday(m["weekday"], clock)
                day = first + timedelta(days=(wanted - first.weekday()) % 7)
            elif m["days"] is not None:
                day = first + timedelta(days=int(m["days"]))
            elif m["date"] is not None:
                try:
                    day = date.fromisoformat(m["date"])
                except ValueError:
                    raise ConfigError(f"story step {clock!r}: no such date") from None
            else:
                day = first
            # fold=0: a repeated wall time is its first occurrence.  A skipped one does not
            # survive the round trip through UTC (zoneinfo would silently read "02:30" as 03:30).
            when = datetime.combine(day, time(h, mi, s), zone)
            back = when.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
        except OverflowError:
            raise ConfigError(
                f"story step {clock!r}: from the story's first day {first.isoformat()}, outside "
                "the instants a datetime can hold (years 1-9999)"
            ) from None
        if back != when.replace(tzinfo=None):
            name = getattr(zone, "key", None) or str(zone)
            raise ConfigError(
                f"story step {clock!r}: {when.strftime('%H:%M:%S' if m['s'] else '%H:%M')} "
                f"does not exist on "
                f"{day.isoformat()} in {name} (the clocks skip it when they go forward)"
            )
        return when

    def _run(self, clock: str, fn: Callable[[datetime], list[Event]]) -> list[Event]:
        when = self.at(clock)
        fired = self.desk.advance(at=when)
        # What the advance fired has happened, whatever the command does: keep it first.
        self.events += fired
        try:
            done = fn(when)
        except CsflowError as exc:
            exc.add_note(
                f"story step {clock!r}: the desk advanced to {when.isoformat()} first; the "
                f"{len(fired)} event(s) that fired are kept in story.events"
            )
            raise
        self.events += done
        return fired + done

    def agent(
        self,
        clock: str,
        agent_id: str,
        *,
        skills: Mapping[str, int] | None = None,
        languages: str | Iterable[str] = (),
        teams: str | Iterable[str] = (),
        presence: str = "available",
        routing_profile: str | None = None,
        **capacity: int,
    ) -> list[Event]:
        """An agent logs in with capacity per channel (``chat=3, email=2``).

        Args:
            clock: When (see :meth:`at`).
            agent_id: The agent's id.
            skills: Skill -> proficiency.
            languages: Languages it serves in: a name or a collection of names, read as
                :class:`~csflow.model.AgentProfile` reads them (``"id"`` is one language).
            teams: Its teams, a name or a collection of names (the first, by name, with a
                routing profile decides its profile).
            presence: Its presence when it joins.
            routing_profile: The routing profile it works under, when not its team's
                (``add_agent``'s ``routing_profile``).
            **capacity: Channel name -> how many tickets of it the agent may hold.

        Returns:
            The step's events.

        Raises:
            ConfigError: A malformed profile (as :class:`~csflow.model.AgentProfile` refuses
                it: skills that are not a mapping, say).
            CsflowError: The step is malformed or the desk refuses the command.
        """
        cap: dict[Channel | str, int] = {}
        cap.update(capacity)
        # Passed as given: AgentProfile's converters read a bare name as one name and refuse
        # what is neither (a list of skills) with a ConfigError.
        profile = AgentProfile(
            agent_id,
            skills={} if skills is None else skills,
            languages=languages,
            capacity=cap,
            teams=teams,
        )
        return self._run(
            clock,
            lambda at: self.desk.add_agent(
                profile, at=at, presence=presence, routing_profile=routing_profile
            ),
        )

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
        """A customer of *tier* opens a ticket on *channel*.

        Args:
            clock: When (see :meth:`at`).
            ticket_id: The ticket's id.
            channel: Its channel.
            tier: The customer's tier (by name; the config's rank when it declares the tier).
            customer: The customer id (default ``customer-of-<ticket_id>``).
            **fields: Other :class:`~csflow.model.Ticket` fields (``priority``,
                ``category``, ``language``, ``required_skills``, ``attributes``);
                ``preferred_agent`` goes to the customer.  ``created_at`` is the step's time.

        Returns:
            The step's events.

        Raises:
            ConfigError: A keyword that is not one of *fields* (``created_at`` included), or
                a malformed value.
            CsflowError: The step is malformed or the desk refuses the ticket.
        """
        unknown = sorted(set(fields) - _OPEN_FIELDS)
        if unknown:
            hint = " (the step's time is the ticket's)" if "created_at" in unknown else ""
            raise ConfigError(
                f"story customer_opens: unknown field {unknown[0]!r}{hint}; expected "
                f"{', '.join(sorted(_OPEN_FIELDS))}"
            )
        when = self.at(clock)
        t = (self._tiers.get(tier) if isinstance(tier, str) else None) or Tier(tier, 0)
        pref = fields.pop("preferred_agent", None)
        lang = fields.get("language")
        c = Customer(customer or f"customer-of-{ticket_id}", t, lang, pref)
        ticket = Ticket(ticket_id, c, channel, when, **fields)
        return self._run(clock, lambda at: self.desk.submit(ticket, at=at))

    def replies(self, clock: str, agent_id: str, ticket_id: str) -> list[Event]:
        """*agent_id* replies to *ticket_id*.

        Returns:
            The step's events.

        Raises:
            CsflowError: The step is malformed or the desk refuses the reply.
        """
        return self._run(clock, lambda at: self.desk.reply(ticket_id, agent_id, at=at))

    def resolves(self, clock: str, agent_id: str, ticket_id: str) -> list[Event]:
        """*agent_id* solves *ticket_id*.

        Returns:
            The step's events.

        Raises:
            CsflowError: The step is malformed or the desk refuses the resolution.
        """
        return self._run(clock, lambda at: self.desk.resolve(ticket_id, agent_id, at=at))

    def do(self, clock: str, command: str, /, *args: Any, **kwargs: Any) -> list[Event]:
        """Any desk command: ``story.do("09:05", "escalate", "t1", "finance")``, with its
        keyword arguments too: ``story.do("09:05", "update_agent", profile,
        routing_profile="finance")``.

        Returns:
            The step's events.

        Raises:
            CsflowError: The step is malformed or the desk refuses the command.
        """
        return self._run(clock, lambda at: Command(command, at, args, kwargs).apply(self.desk))

    def wait_until(self, clock: str) -> list[Event]:
        """Let time pass to *clock*, firing what is due.

        Returns:
            What fired.

        Raises:
            CsflowError: The step is malformed or earlier than the desk's last instant.
        """
        return self._run(clock, lambda at: [])

    def holder(self, ticket_id: str) -> str | None:
        """The agent who has *ticket_id* now.

        Raises:
            UnknownTicketError: No such ticket.
        """
        return self.desk.ticket(ticket_id).agent_id
