"""Repeat customers: the desk's bounded memory of each customer's recent contacts.

A *contact* is a ticket the customer submitted.  For each customer the desk remembers the
contacts of the last :attr:`ContactPolicy.window` (at most :attr:`~ContactPolicy.max_contacts`
of them, the newest) and the customer's tickets still open; it forgets a customer whose last
contact left the window, and when more than :attr:`~ContactPolicy.max_customers` customers
are remembered, the one whose last contact is oldest.  So memory is bounded by
``max_customers * max_contacts`` contact instants, plus the open tickets (which the desk holds
anyway), and per customer the instant of the newest contact that the ``max_contacts`` cap
forgot (see below).

Theory of operation: contacts arrive in time order (a desk's commands do), so the customers,
kept in an insertion-ordered dict moved to the end at each contact, are also in order of last
contact: eviction and expiry both pop from the front, O(1) amortised per contact.  A
customer's contacts are a short list (at most ``max_contacts``), newest last: expiry drops from
the front.  A list, not a deque: most customers have one or two contacts in the window, and a
deque costs some 600 bytes however few it holds (the memory is ``max_customers`` of them).

What a ticket is told about its customer (:meth:`ContactMemory.summary`) is fixed by its own
contact: its *previous* contact is the one just before it -- never one that came after it while
it waited -- and it counts itself even when its own contact has left the window (it waited
longer than the window) or the memory.  The cap bounds how many contacts are kept, not which
contact is a ticket's previous one: when it forgets a customer's oldest kept contact, it keeps
that contact's instant, the previous contact of the oldest one it still keeps.  So what the
triage rules see when a ticket arrives (:meth:`ContactMemory.preview`) and what its
:class:`~csflow.events.TicketAssigned` says at the same instant agree, whatever the cap
(``max_contacts: 1`` included).

The last agent who served each customer (:class:`LastAgents`) is bounded the same way: the
``max_customers`` customers served most recently.

What the desk tells about a customer (:class:`ContactSummary`) reaches the triage rules as the
``contacts.*`` fields of the rule context and the agent as fields of
:class:`~csflow.events.TicketAssigned`.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime, timedelta
from typing import Any

import attrs

from csflow._config import check_keys, duration, mapping
from csflow._text import show
from csflow._time import duration_us, to_us, utc
from csflow.errors import ConfigError
from csflow.sla.durations import format_duration

__all__ = [
    "DEFAULT_MAX_CUSTOMERS",
    "ContactMemory",
    "ContactPolicy",
    "ContactSummary",
    "LastAgents",
]

DEFAULT_MAX_CUSTOMERS = 100_000
"""How many customers the desk remembers by default (contacts, and who served them last)."""


def _positive_int(name: str) -> Any:
    def check(_s: object, _a: object, value: object) -> None:
        if type(value) is not int or value < 1:
            raise ConfigError(f"{name} must be a positive int, got {show(value)}")

    return check


@attrs.frozen
class ContactPolicy:
    """How much of each customer's recent contacts the desk remembers.

    Args:
        window: How far back a contact counts (default a week).
        max_contacts: The most contacts remembered per customer (the newest).
        max_customers: The most customers remembered (those whose last contact is oldest go
            first).

    Raises:
        ConfigError: A window that is not a ``timedelta`` or is negative, or a bound that is
            not a positive int.  (A document's window is positive: :meth:`from_dict` refuses
            ``"PT0S"``, so a zero window built in Python is not written as data.)
    """

    window: timedelta = timedelta(days=7)
    max_contacts: int = attrs.field(default=20, validator=_positive_int("max_contacts"))
    max_customers: int = attrs.field(
        default=DEFAULT_MAX_CUSTOMERS, validator=_positive_int("max_customers")
    )

    def __attrs_post_init__(self) -> None:
        duration_us(self.window, "window", ConfigError)

    @classmethod
    def from_dict(cls, data: object, path: str = "contacts") -> ContactPolicy:
        """Read ``{"window": "P7D", "max_contacts": 20, "max_customers": 100000}``.

        Raises:
            ConfigError: Anything malformed, with the path to it.
        """
        d = mapping(data, path)
        check_keys(d, ("window", "max_contacts", "max_customers"), path)
        kwargs: dict[str, Any] = {}
        if "window" in d:
            kwargs["window"] = duration(d["window"], f"{path}.window")
        for key in ("max_contacts", "max_customers"):
            if key in d:
                try:  # each field alone first, so that an error names it in its path
                    cls(**{key: d[key]})
                except ConfigError as exc:
                    raise ConfigError(exc.detail, f"{path}.{key}") from None
                kwargs[key] = d[key]
        try:
            return cls(**kwargs)
        except ConfigError as exc:
            raise ConfigError(exc.detail, path) from None

    def to_dict(self) -> dict[str, Any]:
        """The plain-data form :meth:`from_dict` reads, the window as ISO 8601 text exact to
        the microsecond (``"PT168H"``): ``ContactPolicy.from_dict(policy.to_dict()) == policy``
        for every policy with a positive window (:meth:`from_dict` refuses a zero one)."""
        return {
            "window": format_duration(self.window),
            "max_contacts": self.max_contacts,
            "max_customers": self.max_customers,
        }


@attrs.frozen
class ContactSummary:
    """A customer's recent contacts as the desk remembers them.

    Attributes:
        count: Contacts within the window (the one being asked about included).
        last_contact_at: The previous contact's instant (UTC), or ``None``.
        last_agent: The agent who last served the customer, or ``None``.
        open_tickets: The customer's tickets still open (not solved, closed or abandoned).
    """

    count: int
    last_contact_at: datetime | None
    last_agent: str | None
    open_tickets: int

    def context(self, at: datetime) -> dict[str, Any]:
        """The ``contacts`` mapping of the rule context at *at*: ``count``, ``open``, and when
        known ``last_s`` (seconds since the previous contact) and ``last_agent``."""
        out: dict[str, Any] = {"count": self.count, "open": self.open_tickets}
        if self.last_contact_at is not None:
            out["last_s"] = max(0.0, (to_us(at) - to_us(self.last_contact_at)) / 1e6)
        if self.last_agent is not None:
            out["last_agent"] = self.last_agent
        return out


def _drop_before(contacts: list[tuple[int, str]], horizon: int) -> int:
    """Drop the contacts at or before *horizon* (they are oldest first); how many."""
    n = 0
    for at_us, _ in contacts:
        if at_us > horizon:
            break
        n += 1
    if n:
        del contacts[:n]
    return n


class LastAgents:
    """Who last served each customer (and when), for affinity routing and contact summaries.

    Bounded like the contact memory: the *max_customers* customers served most recently are
    remembered; serving one more forgets the one whose last service was recorded first.  The
    dict's order is the order services were recorded.  That is nearly always their time order,
    but not always: a routing timer that :meth:`~csflow.desk.Desk.advance` fires late (the
    host did not advance before a later command) assigns at its own, earlier, instant.  So a
    customer's entry is the service with the latest instant, and a snapshot keeps the order
    as recorded.

    Args:
        max_customers: The most customers remembered.
    """

    __slots__ = ("_by", "_max")

    def __init__(self, max_customers: int) -> None:
        # An OrderedDict, not a dict: forgetting the first entry of a dict again and again
        # leaves a run of deleted slots that ``next(iter(...))`` walks each time (77 µs an
        # eviction at 100,000 customers, growing with the churn); an OrderedDict's first
        # entry is one link away.
        self._by: OrderedDict[str, tuple[str, int]] = OrderedDict()
        self._max = max_customers

    def get(self, customer: str) -> tuple[str, int] | None:
        """The agent who last served *customer* and when (µs), or ``None``."""
        return self._by.get(customer)

    def served(self, customer: str, agent: str, at_us: int) -> None:
        """*agent* served *customer* at *at_us* (kept unless a later service is known)."""
        by = self._by
        prev = by.get(customer)
        if prev is not None and prev[1] > at_us:
            return  # fired late: the customer's last service is the later one
        if by.pop(customer, None) is None:
            while len(by) >= self._max:
                del by[next(iter(by))]
        by[customer] = (agent, at_us)

    def __len__(self) -> int:
        return len(self._by)

    def items(self) -> list[tuple[str, tuple[str, int]]]:
        """``(customer, (agent, at_us))`` in order of last service, oldest first."""
        return list(self._by.items())

    def load(self, customer: str, agent: str, at_us: int, *, trim: bool = False) -> None:
        """Remember a service read back from a snapshot (in :meth:`items` order).

        Args:
            customer: The customer.
            agent: The agent who served it last.
            at_us: When (µs).
            trim: The snapshot may have been written under a larger ``max_customers`` (an
                accepted config change): a full memory forgets the customer served first,
                as serving one more would, so that the memory keeps the *max_customers*
                served most recently -- what it would hold had the bound been this one all
                along.

        Raises:
            ConfigError: *customer* is remembered already, or (without *trim*) the memory is
                full.
        """
        by = self._by
        if customer in by:
            raise ConfigError(f"customer {show(customer)} twice")
        if len(by) >= self._max:
            if not trim:
                raise ConfigError(f"more than max_customers={self._max} customers")
            del by[next(iter(by))]
        by[customer] = (agent, at_us)


class ContactMemory:
    """The desk's memory of recent contacts, per customer, within the policy's bounds.

    Args:
        policy: The window and the bounds.
    """

    __slots__ = ("_customers", "_dropped", "_max_contacts", "_max_customers", "_open", "_window")

    def __init__(self, policy: ContactPolicy) -> None:
        self._window = duration_us(policy.window, "window", ConfigError)
        self._max_contacts = policy.max_contacts
        self._max_customers = policy.max_customers
        # customer -> its contacts (at_us, ticket id), oldest left; dict order = last contact.
        # (An OrderedDict, as LastAgents's: the oldest customer is forgotten in O(1).)
        self._customers: OrderedDict[str, list[tuple[int, str]]] = OrderedDict()
        # customer -> the instant of the newest contact the max_contacts cap forgot: the
        # previous contact of its oldest kept one (gone once anything leaves the window).
        self._dropped: dict[str, int] = {}
        self._open: dict[str, set[str]] = {}

    def _expire(self, at_us: int) -> None:
        horizon = at_us - self._window
        customers = self._customers
        while customers:
            first = next(iter(customers))
            q = customers[first]
            if _drop_before(q, horizon):
                self._dropped.pop(first, None)  # older than what left the window
            if q:
                break
            self._forget(first)

    def _forget(self, customer: str) -> None:
        del self._customers[customer]
        self._dropped.pop(customer, None)

    def _in_window(self, customer: str, at_us: int) -> list[tuple[int, str]]:
        horizon = at_us - self._window
        return [c for c in self._customers.get(customer, ()) if c[0] > horizon]

    def preview(self, customer: str, at_us: int, last_agent: str | None) -> ContactSummary:
        """The summary as it will be once a new contact of *customer* at *at_us* is added
        (nothing changes)."""
        seen = self._in_window(customer, at_us)
        count = min(len(seen) + 1, self._max_contacts)
        last = utc(seen[-1][0]) if seen else None
        return ContactSummary(count, last, last_agent, len(self._open.get(customer, ())) + 1)

    def contact(self, customer: str, ticket_id: str, at_us: int) -> None:
        """*customer* submitted *ticket_id* at *at_us* (not earlier than any contact before)."""
        self._expire(at_us)
        q = self._customers.pop(customer, None)
        if q is not None:
            if _drop_before(q, at_us - self._window):
                self._dropped.pop(customer, None)
        else:
            q = []
            while len(self._customers) >= self._max_customers:
                self._forget(next(iter(self._customers)))
        q.append((at_us, ticket_id))
        if len(q) > self._max_contacts:
            # The cap forgets the oldest contact, but not that it was the previous contact
            # of the oldest one kept (a ticket of it is told about it when assigned).
            self._dropped[customer] = q[0][0]
            del q[0]
        self._customers[customer] = q  # to the end: the newest last contact
        self._open.setdefault(customer, set()).add(ticket_id)

    def opened(self, customer: str, ticket_id: str) -> None:
        """A ticket of *customer* is open again (reopened)."""
        self._open.setdefault(customer, set()).add(ticket_id)

    def settled(self, customer: str, ticket_id: str) -> None:
        """A ticket of *customer* is no longer open (solved, closed or abandoned)."""
        mine = self._open.get(customer)
        if mine is not None:
            mine.discard(ticket_id)
            if not mine:
                del self._open[customer]

    def summary(
        self,
        customer: str,
        ticket_id: str,
        at_us: int,
        last_agent: str | None,
        *,
        now_us: int | None = None,
    ) -> ContactSummary:
        """*customer*'s contacts at *at_us*, as told about its ticket *ticket_id* (``""``: as
        told about the customer, no ticket of it).

        The previous contact is the one just before *ticket_id*'s own, when it is still
        within the window at *at_us*: a contact that came after it, while it waited, is not
        its previous one; nor is any remembered contact once its own has left the memory
        (they all came after it).  Its own contact is the newest under *ticket_id* (an id
        freed by :meth:`Desk.forget <csflow.desk.Desk.forget>` may have an older one).  The
        count is of the contacts within the window, this ticket included even when its own
        contact has left the window (it waited longer) or the memory, at most
        ``max_contacts``.  Without a ticket, the count is of the contacts within the window
        up to *at_us* (none after it), and the previous contact is the newest of them; with
        *now_us* (the desk's instant), of those still within the window at *now_us* too: an
        earlier *at_us* does not count contacts that had left the window by then, which the
        memory may forget at any time and a snapshot does not keep.
        """
        horizon = at_us - self._window
        q = self._customers.get(customer) or []
        seen = sum(1 for c in q if c[0] > horizon)
        if not ticket_id:
            # Asked about an earlier instant than the last contact: what came after it is not
            # yet a contact then.
            kept = horizon if now_us is None else max(horizon, now_us - self._window)
            until = [c[0] for c in q if kept < c[0] <= at_us]
            previous = until[-1] if until else None
            count = len(until)
        else:
            # Its own contact is the newest under its id: a ticket forgotten by the desk
            # frees its id, and a contact of the old ticket may still be remembered before it.
            own = next((i for i in range(len(q) - 1, -1, -1) if q[i][1] == ticket_id), None)
            if own is None:
                previous = None
            elif own:
                previous = q[own - 1][0]
            else:
                previous = self._dropped.get(customer)
            if own is None or q[own][0] <= horizon:
                seen += 1  # the ticket's own contact counts, though it left the window
            count = min(seen, self._max_contacts)
        last = utc(previous) if previous is not None and previous > horizon else None
        return ContactSummary(count, last, last_agent, len(self._open.get(customer, ())))

    def customers(self) -> int:
        """How many customers are remembered (at most ``max_customers``)."""
        return len(self._customers)

    def remembered(self, customer: str) -> tuple[int, ...]:
        """The contact instants (µs) kept for *customer*, oldest first (contacts that left
        the window are dropped at the customer's next contact, or when it is the customer
        whose last contact is oldest)."""
        return tuple(c[0] for c in self._customers.get(customer, ()))

    # -- state snapshots -----------------------------------------------------------------------

    def to_state(self, at_us: int) -> list[list[Any]]:
        """The contacts still within the window at *at_us*, as plain data: ``[[customer,
        [[at_us, ticket_id], ...]], ...]`` in order of last contact (oldest first); a
        customer whose oldest kept contact's previous one was forgotten by the cap, and is
        still within the window, has that instant as a third item: ``[customer, [...],
        at_us]``.

        *at_us* is the earliest instant anything can still read the memory at: the desk's
        instant, or the instant of a timer that is overdue (it fires at its own instant, and
        an assignment it makes reads the customer's contacts as of then).  Contacts that left
        the window by *at_us* are not written: nothing reads them at *at_us* or later, and
        the next contact would drop them.  Open tickets are not written either: the desk
        tells :meth:`opened` for each of its open tickets on load.
        """
        horizon = at_us - self._window
        dropped = self._dropped
        out: list[list[Any]] = []
        for customer, q in self._customers.items():
            kept = [[t, tid] for t, tid in q if t > horizon]
            if kept:
                before = dropped.get(customer)
                if before is not None and before > horizon:
                    out.append([customer, kept, before])
                else:
                    out.append([customer, kept])
        return out

    def load_state(
        self, data: object, at_us: int, path: str = "contacts", *, trim: bool = False
    ) -> None:
        """Fill this (new) memory from :meth:`to_state` data, written at *at_us*.

        With *trim* the data may have been written under larger bounds (an accepted config
        change): the memory keeps the ``max_customers`` customers whose last contact is
        newest, each with its newest ``max_contacts`` contacts -- what it would hold had the
        bounds been these all along (a full memory forgets the customer whose last contact is
        oldest; a customer's contacts beyond the bound, the oldest).

        Raises:
            ConfigError: Malformed data, a duplicate customer, contacts out of time order or
                after *at_us*, a forgotten contact's instant after the oldest kept one,
                (without *trim*) more than the policy's bounds; with the path to it.
        """
        if not isinstance(data, list):
            raise ConfigError(f"expected a list, got {show(data)}", path)
        if len(data) > self._max_customers and not trim:
            raise ConfigError(f"more than max_customers={self._max_customers} customers", path)
        most = None if trim else self._max_contacts
        last = None
        for i, raw in enumerate(data):
            where = f"{path}[{i}]"
            if (
                not isinstance(raw, list)
                or len(raw) not in (2, 3)
                or not isinstance(raw[0], str)
                or not isinstance(raw[1], list)
                or not raw[1]
                or (most is not None and len(raw[1]) > most)
            ):
                raise ConfigError("expected [customer, [[at_us, ticket_id], ...]]", where)
            customer, contacts = raw[0], raw[1]
            if customer in self._customers:
                raise ConfigError(f"customer {show(customer)} twice", where)
            q: list[tuple[int, str]] = []
            for j, c in enumerate(contacts):
                if (
                    not isinstance(c, list)
                    or len(c) != 2
                    or type(c[0]) is not int
                    or not isinstance(c[1], str)
                    or c[0] > at_us
                    or (q and c[0] < q[-1][0])
                ):
                    raise ConfigError(
                        f"expected [at_us, ticket_id] in time order, by {at_us}, got {show(c)}",
                        f"{where}[1][{j}]",
                    )
                q.append((c[0], c[1]))
            if len(raw) == 3:
                before = raw[2]
                if type(before) is not int or before > q[0][0]:
                    raise ConfigError(
                        f"expected the instant (µs) of a contact before {q[0][0]}, "
                        f"got {show(before)}",
                        f"{where}[2]",
                    )
                self._dropped[customer] = before
            if last is not None and q[-1][0] < last:
                raise ConfigError("customers must be in order of last contact", where)
            last = q[-1][0]
            if len(q) > self._max_contacts:  # (under trim only)
                n = len(q) - self._max_contacts
                self._dropped[customer] = q[n - 1][0]
                del q[:n]
            self._customers[customer] = q
        if trim:
            customers = self._customers
            while len(customers) > self._max_customers:
                self._forget(next(iter(customers)))
