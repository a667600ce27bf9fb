"""Goodwill budgets: what front-line agents may grant a customer without asking finance.

An agent (or a team, sharing one pot) has an *allowance* per period -- a day, an ISO week or a
calendar month in the policy's time zone -- in one currency.  A grant on a ticket is charged to
the agent's allowance when it fits both what is left of it and the ticket's limit (by the
customer's tier); otherwise it is refused, or (``over_limit="approval"``) it becomes a
request a supervisor approves or declines.  A supervisor's approval is not charged to any
allowance: it is the supervisor's decision.

Amounts are :class:`decimal.Decimal`, never floats: a float is refused, as is an amount with
more decimal places than the currency has (``decimals``; 0 for rupiah).  Every amount the
module reads -- a policy's, a grant's, a snapshot's -- passes one check (:func:`parse_amount`'s)
and is kept in the currency's form, quantized to its ``decimals`` (``"1e3"`` is ``1000``, and
``"12.5"`` euros are ``12.50``); a string is read in ASCII digits only.

Theory of operation: the ledger keeps, per allowance, the current period's key and the sum
charged in it (a grant in a later period starts from zero), and the grants charged to it in
the :data:`HORIZON` before its latest (their instants and amounts); per ticket, the sum
granted (for the ticket's limit); and the pending requests.  The period of an instant is
computed from its local date in the policy's zone, so a period boundary is local midnight,
exact across DST changes.  The grants kept are what an accepted config change of the period
or the time zone recounts the period in progress from: no period, in any zone, reaches
further back than the horizon.  A snapshot names the period and zone its periods were drawn
in, so that a restore under such a change first checks the grants against what was spent as
the old policy drew its period: a snapshot whose grants were removed or lowered would
otherwise give an agent a fresh allowance.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Container, Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Final

import attrs

from csflow._config import check_keys, mapping, string
from csflow._frozen import FrozenDict
from csflow._money import EXACT, ceiling
from csflow._plain import DECIMAL_SYNTAX
from csflow._text import show
from csflow._time import iana_zone, to_us, utc
from csflow.errors import ConfigError, InvalidTransitionError

__all__ = [
    "HORIZON",
    "MAX_AMOUNT",
    "MAX_AMOUNT_CHARS",
    "PERIODS",
    "DroppedRequest",
    "GoodwillLedger",
    "GoodwillPolicy",
    "Verdict",
    "dropped_requests",
    "parse_amount",
    "period_key",
]

#: The periods an allowance may be given for.
PERIODS: Final = ("day", "week", "month")
#: How far back from its latest grant a ledger keeps an allowance's grants: further than any
#: period in progress starts (a month of 31 days, a DST hour and any zone's offset), so that
#: an accepted config change of the period or the time zone recounts it exactly.
HORIZON: Final = timedelta(days=35)
_HORIZON_US: Final = HORIZON // timedelta(microseconds=1)
#: A currency's code: ISO 4217's three capital letters ("IDR", "EUR"; "XTS" for tests).
_CURRENCY: Final = re.compile(r"[A-Z]{3}")
#: The longest reason kept with a grant (characters).
MAX_REASON_CHARS: Final = 200
MAX_AMOUNT: Final = Decimal(10) ** 15
"""Amounts (grants, allowances, limits) are below this, in the currency's units: with six
decimal places at most, sums of them stay exact in :mod:`decimal`'s 28 digits."""


#: The longest text of an amount (a string, or ``str`` of a Decimal) read: a desk's command
#: must journal as a row its reader takes, and no amount below :data:`MAX_AMOUNT` needs more.
MAX_AMOUNT_CHARS: Final = 64

#: A money string: ASCII digits with an optional sign, point and exponent (what ``str`` of a
#: Decimal writes).  :class:`~decimal.Decimal` also reads other scripts' digits ("２５０００"),
#: underscores and surrounding spaces: none is an amount a host means to write.  (NaN and
#: infinity pass, to be refused as not positive amounts.)
_MONEY: Final = re.compile(rf"(?:{DECIMAL_SYNTAX}|[+-]?(?i:s?nan|inf|infinity))")
#: The unit of a currency of 0 to 6 decimal places (1, 0.1, ..., 0.000001), built exactly.
_UNITS: Final = tuple(Decimal((0, (1,), -places)) for places in range(7))
#: Zero in the form of a currency of 0 to 6 decimal places (0, 0.0, ..., 0.000000).
_ZEROS: Final = tuple(Decimal((0, (0,), -places)) for places in range(7))


def _currency(_self: object, _attr: object, value: str) -> None:
    if not isinstance(value, str) or _CURRENCY.fullmatch(value) is None:
        raise ConfigError(
            f"expected an ISO 4217 code of three capital letters (e.g. 'IDR'), got {show(value)}",
            "currency",
        )


def _places(amount: Decimal) -> int:
    """The decimal places finite *amount* needs, trailing zeros aside: read from its digits,
    exactly (``normalize`` rounds to the context, and underflows ``1E-99999999`` to 0)."""
    _, digits, exponent = amount.as_tuple()
    assert isinstance(exponent, int)  # finite
    end = len(digits)
    while end and digits[end - 1] == 0:
        end -= 1
    # The trailing zeros (len(digits) - end) move the exponent up: 1.500 needs one place.
    return 0 if end == 0 else max(0, -(exponent + len(digits) - end))


def _money(value: Decimal | int | str, decimals: int, zero: bool, below: Decimal) -> Decimal | str:
    """The check every amount reader shares: *value* (a Decimal, an int or a money string) as
    an amount in the currency's form -- finite, positive (or zero too, with *zero*), below
    *below*, with at most *decimals* places, quantized to them -- or what is wrong with it."""
    if isinstance(value, str) and _MONEY.fullmatch(value) is None:
        return "must be a decimal number"
    try:
        amount = Decimal(value)
    except InvalidOperation:  # an exponent past what decimal holds
        return "must be a decimal number"
    if not amount.is_finite() or amount < 0 or (amount == 0 and not zero):
        return f"must be {'zero or more' if zero else 'a positive amount'}"
    if amount >= below:
        return f"must be below {below:,}"
    if _places(amount) > decimals:
        return f"must have at most {decimals} decimal places"
    # Exact (no digit dropped but trailing zeros); copy_abs: -0 is 0.
    return amount.quantize(_UNITS[decimals], context=EXACT).copy_abs()


def parse_amount(
    value: object, decimals: int, what: str = "amount", *, zero: bool = False
) -> Decimal:
    """A positive, finite amount below :data:`MAX_AMOUNT`, with at most *decimals* decimal
    places (or zero too, with *zero*: an allowance or limit of nothing), in the currency's
    form: quantized to *decimals* places (``"1e3"`` is ``Decimal("1000")``, ``"100.0"`` with
    0 decimals ``Decimal("100")``, ``"12.5"`` with 2 ``Decimal("12.50")``).

    Args:
        value: A :class:`~decimal.Decimal`, an int, or a string such as ``"25000"`` (ASCII
            digits, an optional point and exponent; no spaces or underscores), written in at
            most :data:`MAX_AMOUNT_CHARS` characters (``str`` of a Decimal); a float is
            refused (it cannot hold most decimal amounts exactly).
        decimals: The currency's decimal places.
        what: The name used in the error.
        zero: Whether zero is an amount too.

    Raises:
        ConfigError: Anything else.

    Examples:
        >>> parse_amount("1e3", 0), parse_amount("12.5", 2)
        (Decimal('1000'), Decimal('12.50'))
    """
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise ConfigError(
            f"{what} must be a Decimal, an int or a decimal string (never a float), "
            f"got {show(value)}"
        )
    # (An int is left to the range check: one below MAX_AMOUNT is short, and ``str`` of an
    # int past 4,300 digits raises ValueError.)
    text = "" if isinstance(value, int) else value if isinstance(value, str) else str(value)
    if len(text) > MAX_AMOUNT_CHARS:
        raise ConfigError(
            f"{what} must be written in at most {MAX_AMOUNT_CHARS} characters, got {show(value)}"
        )
    amount = _money(value, decimals, zero, MAX_AMOUNT)
    if isinstance(amount, str):
        ascii_only = isinstance(value, str) and not value.isascii()
        hint = " (a money string is written in ASCII digits)" if ascii_only else ""
        raise ConfigError(f"{what} {amount}, got {show(value)}{hint}")
    return amount


def _field_amount(value: object, decimals: int, path: str) -> Decimal:
    """:func:`parse_amount` of a config field, its error carrying the field's *path*."""
    try:
        return parse_amount(value, decimals, zero=True)
    except ConfigError as exc:
        raise ConfigError(exc.detail, path) from None


def _amounts(value: object, decimals: int, path: str) -> Mapping[str, Decimal]:
    d = mapping(value, path)
    return FrozenDict(
        {
            (key := string(k, path)): _field_amount(v, decimals, f"{path}.{key}")
            for k, v in d.items()
        }
    )


def _amount_strings(amounts: Mapping[str, Decimal]) -> dict[str, str]:
    """*amounts* as decimal strings (``str`` of a Decimal reads back as the same Decimal)."""
    return {name: str(amount) for name, amount in amounts.items()}


def period_key(at: datetime, period: str, zone: zoneinfo.ZoneInfo) -> str:
    """The period *at* falls in, as local dates in *zone* see it.

    Returns:
        ``"2026-03-20"`` (day), ``"2026-W12"`` (ISO week) or ``"2026-03"`` (month).
    """
    local = at.astimezone(zone).date()
    if period == "day":
        return local.isoformat()
    if period == "week":
        year, week, _ = local.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{local.year}-{local.month:02d}"


#: The keys of a goodwill policy's plain-data form (:meth:`GoodwillPolicy.from_dict`).
GOODWILL_KEYS: Final = (
    "currency",
    "decimals",
    "period",
    "timezone",
    "agents",
    "teams",
    "allowance",
    "per_ticket",
    "default_per_ticket",
    "over_limit",
)


@attrs.frozen
class GoodwillPolicy:
    """Who may grant how much goodwill, per period, without asking a supervisor.

    Args:
        currency: The ISO 4217 code: three capital letters (``"IDR"``).
        decimals: The currency's decimal places (0 for rupiah, 2 for euro).
        period: ``"day"``, ``"week"`` (ISO, from Monday) or ``"month"``.
        timezone: The IANA zone whose local midnight starts a period.
        agents: Personal allowances by agent id.
        teams: Shared allowances by team name: an agent without a personal allowance draws on
            the pot of its first team (by name) that has one.
        allowance: The allowance of any other agent (``None``: nothing).
        per_ticket: The most granted on one ticket, by the customer's tier name.
        default_per_ticket: The per-ticket limit for other tiers (``None``: no limit).
        over_limit: ``"approval"`` (a grant beyond a limit awaits a supervisor) or
            ``"refuse"`` (it raises :class:`~csflow.errors.GoodwillLimitError`).

    Amounts are kept in the currency's form (:func:`parse_amount`: ``allowance="1e2"`` with 2
    decimals is ``Decimal("100.00")``).  Whether ``per_ticket`` and ``teams`` name declared
    tiers and teams is :class:`~csflow.desk.DeskConfig`'s check.

    Raises:
        ConfigError: A malformed currency code, amount, period, zone or mode.
    """

    currency: str = attrs.field(validator=_currency)
    decimals: int = 2
    period: str = "month"
    timezone: str = "UTC"
    agents: Mapping[str, Any] = attrs.field(factory=dict, hash=False)
    teams: Mapping[str, Any] = attrs.field(factory=dict, hash=False)
    allowance: Any = None
    per_ticket: Mapping[str, Any] = attrs.field(factory=dict, hash=False)
    default_per_ticket: Any = None
    over_limit: str = "approval"
    zone: zoneinfo.ZoneInfo = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        if type(self.decimals) is not int or not 0 <= self.decimals <= 6:
            raise ConfigError(f"expected an int from 0 to 6, got {show(self.decimals)}", "decimals")
        if self.period not in PERIODS:
            raise ConfigError(f"expected one of {show(PERIODS)}, got {show(self.period)}", "period")
        if self.over_limit not in ("approval", "refuse"):
            raise ConfigError(
                f"expected 'approval' or 'refuse', got {show(self.over_limit)}", "over_limit"
            )
        zone = iana_zone(string(self.timezone, "timezone"))
        if zone is None:
            raise ConfigError(
                f"expected an IANA time zone name, got {show(self.timezone)}", "timezone"
            )
        object.__setattr__(self, "zone", zone)
        dec = self.decimals
        for name in ("agents", "teams", "per_ticket"):
            object.__setattr__(self, name, _amounts(getattr(self, name), dec, name))
        for name in ("allowance", "default_per_ticket"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, _field_amount(value, dec, name))

    @classmethod
    def from_dict(cls, data: object, path: str = "goodwill") -> GoodwillPolicy:
        """Read the plain-data form (amounts as strings or ints)::

            {"currency": "IDR", "decimals": 0, "period": "month",
             "timezone": "Asia/Jakarta", "allowance": "250000",
             "agents": {"sari": "500000"}, "teams": {"frontline": "2000000"},
             "per_ticket": {"gold": "50000"}, "default_per_ticket": "25000",
             "over_limit": "approval"}

        Raises:
            ConfigError: Anything malformed, with the path to it.
        """
        d = mapping(data, path)
        check_keys(d, GOODWILL_KEYS, path)
        if "currency" not in d:
            raise ConfigError(
                "missing; expected the currency's code, e.g. 'IDR'", f"{path}.currency"
            )
        try:
            return cls(**{k: d[k] for k in GOODWILL_KEYS if k in d})
        except ConfigError as exc:
            raise ConfigError(exc.detail, f"{path}.{exc.path}" if exc.path else path) from None

    def to_dict(self) -> dict[str, Any]:
        """The plain-data form :meth:`from_dict` reads: every key, amounts as decimal strings
        (``None`` for no allowance or no default limit).

        ``GoodwillPolicy.from_dict(policy.to_dict()) == policy`` for every policy.

        Examples:
            >>> GoodwillPolicy("IDR", decimals=0, allowance=250000).to_dict()["allowance"]
            '250000'
        """
        return {
            "currency": self.currency,
            "decimals": self.decimals,
            "period": self.period,
            "timezone": self.timezone,
            "agents": _amount_strings(self.agents),
            "teams": _amount_strings(self.teams),
            "allowance": None if self.allowance is None else str(self.allowance),
            "per_ticket": _amount_strings(self.per_ticket),
            "default_per_ticket": (
                None if self.default_per_ticket is None else str(self.default_per_ticket)
            ),
            "over_limit": self.over_limit,
        }

    def budget_of(self, agent_id: str, teams: frozenset[str]) -> tuple[str, Decimal]:
        """The allowance *agent_id* (of *teams*) draws on: its key and its size per period."""
        mine = self.agents.get(agent_id)
        if mine is not None:
            return f"agent:{agent_id}", mine
        for team in sorted(teams):
            pot = self.teams.get(team)
            if pot is not None:
                return f"team:{team}", pot
        return f"agent:{agent_id}", self.allowance or Decimal(0)

    def ticket_limit(self, tier: str) -> Decimal | None:
        """The most that may be granted on one ticket of a *tier* customer, or ``None``."""
        limit: Decimal | None = self.per_ticket.get(tier, self.default_per_ticket)
        return limit


@attrs.frozen
class Verdict:
    """What the ledger says of a grant it was asked about.

    Attributes:
        budget: The allowance's key.
        period: The period the grant falls in.
        remaining: What would be left of the allowance after the grant, when it fits.
        over: Why it does not fit, in words (``None`` when it fits).
        at_us: The grant's instant (microseconds since the epoch).
    """

    budget: str
    period: str
    remaining: Decimal
    over: str | None
    at_us: int


@attrs.frozen
class _Request:
    ticket_id: str
    agent_id: str
    amount: Decimal
    reason: str
    tier: str


@attrs.frozen
class DroppedRequest:
    """A pending request a ledger's state held that an accepted config change dropped (another
    currency, or goodwill switched off): the desk tells the host it is declined.

    Attributes:
        request_id: The request's id.
        ticket_id: Its ticket.
        agent_id: The agent who asked.
        amount: The amount asked for, as the snapshot wrote it (in the old currency).
        currency: The old currency (``None`` when the snapshot did not name it).
        why: Why it was dropped, when not for another currency or goodwill switched off
            (``"goodwill decimals changed to 0"``: an amount the currency no longer holds).
    """

    request_id: str
    ticket_id: str
    agent_id: str
    amount: Decimal
    currency: str | None
    why: str | None = None


class GoodwillLedger:
    """The desk's goodwill state: what each allowance has spent this period, what each ticket
    has received, and the requests awaiting a supervisor.

    Args:
        policy: The goodwill policy.
    """

    __slots__ = ("_charges", "_count", "_pending", "_per_ticket", "_spent", "policy")

    def __init__(self, policy: GoodwillPolicy) -> None:
        self.policy = policy
        self._spent: dict[str, tuple[str, Decimal]] = {}  # budget -> (period, spent in it)
        # budget -> its grants (instant in microseconds, amount), oldest first, one per
        # instant, within HORIZON of its latest.
        self._charges: dict[str, list[tuple[int, Decimal]]] = {}
        self._per_ticket: dict[str, Decimal] = {}
        self._pending: dict[str, _Request] = {}
        self._count = 0

    def spent(self, budget: str, at: datetime) -> Decimal:
        """What *budget* has spent in the period of *at*."""
        period = period_key(at, self.policy.period, self.policy.zone)
        seen = self._spent.get(budget)
        return seen[1] if seen is not None and seen[0] == period else _ZEROS[self.policy.decimals]

    def granted_on(self, ticket_id: str) -> Decimal:
        """What *ticket_id* has received so far."""
        return self._per_ticket.get(ticket_id, Decimal(0))

    def judge(
        self,
        agent_id: str,
        teams: frozenset[str],
        ticket_id: str,
        tier: str,
        amount: Decimal,
        at: datetime,
    ) -> Verdict:
        """Whether *amount* fits the agent's allowance and the ticket's limit (no change)."""
        p = self.policy
        budget, size = p.budget_of(agent_id, teams)
        period = period_key(at, p.period, p.zone)
        left = EXACT.subtract(size, self.spent(budget, at))
        over = None
        limit = p.ticket_limit(tier)
        on_ticket = EXACT.add(self.granted_on(ticket_id), amount)
        if limit is not None and on_ticket > limit:
            over = (
                f"{p.currency} {amount} would bring ticket {ticket_id!r} to "
                f"{on_ticket}, over the {tier!r} limit of {limit} per ticket"
            )
        elif amount > left:
            over = f"{p.currency} {amount} is over what is left of {budget!r} for {period}: {left}"
        return Verdict(budget, period, EXACT.subtract(left, amount), over, to_us(at))

    def charge(self, verdict: Verdict, ticket_id: str, amount: Decimal) -> None:
        """Charge a grant that fits (*verdict* from :meth:`judge`)."""
        seen = self._spent.get(verdict.budget)
        before = seen[1] if seen is not None and seen[0] == verdict.period else Decimal(0)
        self._spent[verdict.budget] = (verdict.period, EXACT.add(before, amount))
        self._per_ticket[ticket_id] = EXACT.add(self.granted_on(ticket_id), amount)
        kept = self._charges.setdefault(verdict.budget, [])
        at_us = verdict.at_us
        i = len(kept)
        while i and kept[i - 1][0] > at_us:  # (a desk's grants come in order: not at all)
            i -= 1
        if i and kept[i - 1][0] == at_us:
            kept[i - 1] = (at_us, EXACT.add(kept[i - 1][1], amount))
        else:
            kept.insert(i, (at_us, amount))
        cut = kept[-1][0] - _HORIZON_US
        if kept[0][0] < cut:
            del kept[: next(k for k, (us, _) in enumerate(kept) if us >= cut)]

    def request(
        self, ticket_id: str, agent_id: str, amount: Decimal, reason: str, tier: str
    ) -> str:
        """Record a request for a supervisor; return its id."""
        self._count += 1
        rid = f"{ticket_id}/goodwill/{self._count}"
        self._pending[rid] = _Request(ticket_id, agent_id, amount, reason, tier)
        return rid

    def pending(self, request_id: object) -> tuple[str, str, Decimal, str, str]:
        """The pending request *request_id*: ticket, agent, amount, reason and tier.

        Raises:
            InvalidTransitionError: No such request is pending.
        """
        r = self._pending.get(request_id) if isinstance(request_id, str) else None
        if r is None:
            raise InvalidTransitionError(
                f"no pending goodwill request {show(request_id)}; pending: "
                f"{show(sorted(self._pending))}"
            )
        return r.ticket_id, r.agent_id, r.amount, r.reason, r.tier

    def settle(self, request_id: str, approved: bool) -> None:
        """A supervisor answered *request_id*; an approval counts on the ticket only."""
        r = self._pending.pop(request_id)
        if approved:
            self._per_ticket[r.ticket_id] = EXACT.add(self.granted_on(r.ticket_id), r.amount)

    def balances(self, at: datetime) -> dict[str, tuple[Decimal, Decimal]]:
        """Every allowance charged so far: what it spent in the period of *at*, and its size."""
        p = self.policy
        out = {}
        for budget in sorted(self._spent):
            kind, _, name = budget.partition(":")
            if kind == "team":
                size = p.teams[name]
            else:
                size = p.agents.get(name, p.allowance or Decimal(0))
            out[budget] = (self.spent(budget, at), size)
        return out

    def requests(self) -> tuple[str, ...]:
        """The ids of the requests awaiting a supervisor, oldest first."""
        return tuple(self._pending)

    def pending_on(self, ticket_id: str) -> tuple[str, ...]:
        """The ids of *ticket_id*'s requests awaiting a supervisor, oldest first."""
        return tuple(k for k, r in self._pending.items() if r.ticket_id == ticket_id)

    def forget(self, ticket_id: str) -> None:
        """Drop a forgotten ticket's total (the desk forgets no ticket with a pending
        request: see :meth:`pending_on`)."""
        self._per_ticket.pop(ticket_id, None)

    # -- state snapshots -----------------------------------------------------------------------

    def to_state(self, kept: Container[str]) -> dict[str, Any]:
        """The ledger as plain data (amounts as decimal strings): what each allowance spent in
        its period, its grants within :data:`HORIZON` of its latest (``[instant in
        microseconds, amount]``, oldest first), what each *kept* ticket received, the pending
        requests (oldest first), the request counter, the currency the amounts are in, and the
        period and time zone the allowances' periods are drawn in (what a restore under an
        accepted config change checks the grants against)."""
        return {
            "spent": [[b, period, str(v)] for b, (period, v) in self._spent.items()],
            "charges": {
                b: [[us, str(v)] for us, v in charges] for b, charges in self._charges.items()
            },
            "per_ticket": {t: str(v) for t, v in self._per_ticket.items() if t in kept},
            "pending": [
                [rid, r.ticket_id, r.agent_id, str(r.amount), r.reason, r.tier]
                for rid, r in self._pending.items()
            ],
            "count": self._count,
            "currency": self.policy.currency,
            "period": self.policy.period,
            "timezone": self.policy.timezone,
        }

    def load_state(
        self,
        data: object,
        known: Container[str],
        path: str = "goodwill",
        *,
        changed: bool = False,
    ) -> list[DroppedRequest]:
        """Fill this (new) ledger from :meth:`to_state` data; tickets must be *known*.

        Each allowance is ``agent:<id>`` or ``team:<name>``, once, and a team's must be one of
        the policy's pots; its grants (``charges``: oldest first, one per instant, each
        positive, within :data:`HORIZON` of the latest) have the latest in its period and
        those in it add up to what it spent there, as the data's ``period`` and ``timezone``
        draw periods (the policy's, without *changed*).  With *changed* the data may have been
        written under another policy (an accepted config change):

        - its grants are checked as the policy it was written under drew periods (its
          ``period`` and ``timezone``); data written before the ledger named them only says
          which period (a day, an ISO week, a month) by its key, not in which zone: the grants
          from some instant within a day of the period's local midnight on must add up to
          what it spent (which of the grants within that day were in the period is not
          known);
        - what each allowance spent in the period in progress is recounted from its grants
          under the policy's period and time zone (data written before the ledger kept its
          grants counts what an allowance spent as granted at the start of its period);
        - what a team pot the policy no longer has spent is dropped -- nothing draws on it
          any more (its agents draw on their own allowances), so neither :meth:`balances` nor
          a grant sees it;
        - amounts written with more decimal places than the currency now has (its
          ``decimals`` lowered) are rounded up to them -- what was spent and granted per
          ticket, never less -- and a pending request for such an amount is dropped (the
          currency cannot hold it);
        - amounts written in another currency (``currency``) are not converted: what was
          spent, granted per ticket and asked for is dropped, and the ledger starts afresh in
          the policy's currency (the request counter goes on).

        Data without ``currency`` (written before it was kept) is read in the policy's.

        Returns:
            The pending requests dropped (another currency, decimals lowered), oldest first:
            the caller tells the host (the desk declines them); none otherwise.

        Raises:
            ConfigError: Malformed data, a bad amount, an allowance twice, grants that do not
                add up to what their allowance spent (naming both sums), (without *changed*)
                a team pot the policy does not have, another currency or another period or
                time zone, an unknown ticket; with the path to it.
        """
        d = _ledger_data(data, path)
        currency = d.get("currency", self.policy.currency)
        if currency != self.policy.currency:
            if not changed or not isinstance(currency, str):
                raise ConfigError(
                    f"expected the policy's currency {show(self.policy.currency)}, got "
                    f"{show(currency)}",
                    f"{path}.currency",
                )
            # Another currency's amounts: the ledger starts afresh, and its requests are
            # dropped (read only to tell the host).
            dropped = dropped_requests(d, known, path)
            self._count = d["count"]
            return dropped
        policy = self.policy
        decimals = policy.decimals
        unit = _UNITS[decimals]
        # Under an accepted change the amounts may have been written with more places (the
        # currency's decimals lowered since): read with up to six, rounded up to its own.
        places = 6 if changed else decimals

        def amount(value: object, where: str) -> Decimal:
            read = _amount(value, places, where)
            return ceiling(read, unit) if changed else read

        def written(value: object, where: str) -> Decimal:
            # Not rounded: what was spent is checked against the grants as written.  In the
            # currency's form, or with the more places an old one had.
            read = _amount(value, places, where)
            return read.quantize(_UNITS[max(decimals, _places(read))], context=EXACT)

        pots = policy.teams
        rows: dict[str, tuple[str, Decimal]] = {}
        for i, (budget, period, total) in enumerate(_rows(d["spent"], 3, f"{path}.spent")):
            where = f"{path}.spent[{i}]"
            kind, colon, name = budget.partition(":")
            if not (colon and name and kind in ("agent", "team")) or budget in rows:
                raise ConfigError(
                    f"expected an allowance 'agent:<id>' or 'team:<name>', once each, "
                    f"got {show(budget)}",
                    where,
                )
            rows[budget] = (period, written(total, where))
            if kind == "team" and name not in pots and not changed:
                raise ConfigError(
                    f"no goodwill pot for team {show(name)}; pots: {show(sorted(pots))}", where
                )
        drawn = _drawn(d, policy, changed, path)
        charges = _charges(d.get("charges"), rows, policy, drawn, written, path)
        for budget, (period, spent) in rows.items():
            kind, _, name = budget.partition(":")
            if kind == "team" and name not in pots:
                continue  # a pot the accepted config change removed: nobody draws on it
            kept = charges[budget]
            if changed:
                # In the currency's form now (its decimals may have been lowered: rounded up).
                kept = [(us, ceiling(v, unit)) for us, v in kept]
                # Recounted under the policy's period and zone: the period of the latest
                # grant, and what was granted in it.
                period = _period_of(kept[-1][0], policy)
                spent = _ZEROS[decimals]
                for us, value in kept:
                    if _period_of(us, policy) == period:
                        spent = EXACT.add(spent, value)
            self._spent[budget] = (period, spent)
            self._charges[budget] = kept
        for tid, raw in mapping(d["per_ticket"], f"{path}.per_ticket").items():
            if tid not in known:
                raise ConfigError(f"unknown ticket {show(tid)}", f"{path}.per_ticket")
            self._per_ticket[tid] = amount(raw, f"{path}.per_ticket.{tid}")
        self._count = d["count"]
        if not changed:
            self._pending.update(_pending(d, known, decimals, path))
            return []
        dropped = []
        why = f"goodwill decimals changed to {decimals}"
        for rid, r in _pending(d, known, None, path).items():
            if _places(r.amount) > decimals:
                dropped.append(
                    DroppedRequest(rid, r.ticket_id, r.agent_id, r.amount, policy.currency, why)
                )
            else:
                form = r.amount.quantize(unit, context=EXACT)
                self._pending[rid] = attrs.evolve(r, amount=form)
        return dropped


def _drawn(
    d: Mapping[str, Any], policy: GoodwillPolicy, changed: bool, path: str
) -> tuple[str, zoneinfo.ZoneInfo] | None:
    """The period and zone ledger data *d*'s periods were drawn in: the policy's, without
    *changed* (data naming others was not written under it); with *changed*, those *d* names
    (``period`` and ``timezone``), or ``None`` for data written before the ledger named them.

    Raises:
        ConfigError: A period or zone that is none, one without the other, or (without
            *changed*) other than the policy's.
    """
    if "period" not in d and "timezone" not in d:
        return None if changed else (policy.period, policy.zone)
    period, name = d.get("period"), d.get("timezone")
    zone = iana_zone(name)
    if period not in PERIODS or zone is None:
        raise ConfigError(
            f"expected a period of {show(PERIODS)} and an IANA time zone name, got "
            f"{show(period)} and {show(name)}",
            f"{path}.period" if period not in PERIODS else f"{path}.timezone",
        )
    if not changed and (period, name) != (policy.period, policy.timezone):
        raise ConfigError(
            f"expected the policy's period {show(policy.period)} and time zone "
            f"{show(policy.timezone)}, got {show(period)} and {show(name)}",
            f"{path}.period" if period != policy.period else f"{path}.timezone",
        )
    assert isinstance(period, str)
    return period, zone


def _period_of(us: int, policy: GoodwillPolicy) -> str:
    return period_key(utc(us), policy.period, policy.zone)


def _period_dates(period: str) -> tuple[date, date] | None:
    """The local dates *period* (a :func:`period_key`, of any of the three forms) runs from
    (its first) and up to (the first of the next), or ``None`` when *period* is no period's
    key."""
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", period, re.ASCII):
            first = date.fromisoformat(period)
            return first, first + timedelta(days=1)
        if re.fullmatch(r"\d{4}-W\d{2}", period, re.ASCII):
            first = date.fromisocalendar(int(period[:4]), int(period[6:]), 1)
            return first, first + timedelta(days=7)
        if re.fullmatch(r"\d{4}-\d{2}", period, re.ASCII):
            year, month = int(period[:4]), int(period[5:])
            first = date(year, month, 1)
            return first, date(year + month // 12, month % 12 + 1, 1)
    except (ValueError, OverflowError):
        pass
    return None


def _period_start(period: str, zone: zoneinfo.ZoneInfo) -> int | None:
    """The instant (microseconds) local midnight starts *period* (a :func:`period_key`, of
    any of the three forms) in *zone*, or ``None`` when *period* is no period's key."""
    dates = _period_dates(period)
    if dates is None:
        return None
    first = dates[0]
    try:
        return to_us(datetime(first.year, first.month, first.day, tzinfo=zone))
    except (ValueError, OverflowError):
        return None


#: A day in microseconds: more than any zone's offset from UTC (a ``tzinfo``'s offset is
#: strictly within a day), so a period's local midnight is within a day of the same wall time
#: read in UTC, whatever the zone.
_DAY_US: Final = 86_400_000_000


def _check_old_period(
    kept: list[tuple[int, Decimal]], period: str, spent: Decimal, path: str
) -> None:
    """Under an accepted config change, check an allowance's grants (*kept*, as written,
    oldest first) against what it spent in *period*, as the policy that wrote them drew
    periods.  That policy is gone, but its period is known by *period*'s form (a day, an ISO
    week, a month) and its local dates; its zone is not, so the period's start is known
    within a day of its local midnight read in UTC.  The ledger wrote the latest grant in its
    period, and the grants of the period add up to what it spent: the grants from some
    start on add up to *spent* exactly, that start lying within a day of the period's --
    the check made under the unchanged policy, but for which of the grants within a day of
    the period's start fell in it.

    Raises:
        ConfigError: At the allowance's grants, naming both sums.
    """
    dates = _period_dates(period)
    if dates is None:
        raise ConfigError(
            f"expected a day's, an ISO week's or a month's key, got {show(period)}", path
        )
    lo, hi = (to_us(datetime(d.year, d.month, d.day, tzinfo=UTC)) for d in dates)
    latest = kept[-1][0]
    # The grants that may fall in the period (after its earliest possible start) and those
    # that do whatever the zone (after its latest possible start).
    may = Decimal(0)
    must = Decimal(0)
    for us, value in kept:
        if us > lo - _DAY_US:
            may = EXACT.add(may, value)
        if us >= lo + _DAY_US:
            must = EXACT.add(must, value)
    fits = False
    if lo - _DAY_US < latest < hi + _DAY_US:
        # The period starts between the grant before the first counted and that one: the
        # sums from the latest back grow strictly (every grant is positive), so at most one
        # first grant gives *spent*.
        total = Decimal(0)
        for i in range(len(kept) - 1, -1, -1):
            total = EXACT.add(total, kept[i][1])
            if total >= spent:
                fits = (
                    total == spent
                    and kept[i][0] > lo - _DAY_US
                    and (i == 0 or kept[i - 1][0] < lo + _DAY_US)
                )
                break
    if not fits:
        sums = f"{must}" if must == may else f"from {must} to {may}"
        raise ConfigError(
            f"grants adding up to {sums} in {period} (whatever the time zone of the policy "
            f"they were written under), the latest at {latest} µs, but the allowance spent "
            f"{spent} in {period}",
            path,
        )


def _charges(
    value: object,
    rows: Mapping[str, tuple[str, Decimal]],
    policy: GoodwillPolicy,
    drawn: tuple[str, zoneinfo.ZoneInfo] | None,
    amount: Any,
    path: str,
) -> dict[str, list[tuple[int, Decimal]]]:
    """The grants of each allowance in ledger data's ``charges``, checked against what the
    allowances spent (*rows*): one list per allowance, oldest first, one per instant, each
    positive (what the ledger writes), within :data:`HORIZON` of its latest, the latest in
    the allowance's period and those in it adding up to what it spent -- under the policy
    they were written with (not *changed*), or (*changed*) as far as the period's key tells
    what it was (:func:`_check_old_period`).  Data without ``charges`` (written before the
    ledger kept them) has each allowance's spending granted at the start of its period."""
    where = f"{path}.charges"
    if value is None:
        out = {}
        for budget, (period, spent) in rows.items():
            start = _period_start(period, policy.zone)
            changed = drawn is None or drawn != (policy.period, policy.zone)
            if start is None or (not changed and _period_of(start, policy) != period):
                raise ConfigError(
                    f"expected a {policy.period}'s key (e.g. "
                    f"{show(period_key(utc(0), policy.period, policy.zone))}), got "
                    f"{show(period)}",
                    f"{path}.spent[{list(rows).index(budget)}]",
                )
            out[budget] = [(start, spent)]
        return out
    d = mapping(value, where)
    if set(d) != set(rows):
        raise ConfigError(
            f"expected the grants of each allowance that spent, {show(sorted(rows))}, "
            f"got {show(sorted(d))}",
            where,
        )
    out = {}
    for budget, raw in d.items():
        at = f"{where}.{budget}"
        if (
            not isinstance(raw, list)
            or not raw
            or not all(
                isinstance(c, list) and len(c) == 2 and type(c[0]) is int and isinstance(c[1], str)
                for c in raw
            )
        ):
            raise ConfigError(
                f"expected a non-empty list of [instant_us, amount], got {show(raw)}", at
            )
        kept: list[tuple[int, Decimal]] = []
        for j, (us, text) in enumerate(raw):
            try:
                utc(us)
            except OverflowError:
                raise ConfigError(
                    f"expected an instant in microseconds, got {show(us)}", f"{at}[{j}]"
                ) from None
            if kept and us <= kept[-1][0]:
                raise ConfigError(
                    f"expected grants oldest first, one per instant, got {us}", f"{at}[{j}]"
                )
            grant = amount(text, f"{at}[{j}]")
            if grant == 0:
                raise ConfigError(f"expected a positive grant, got {show(text)}", f"{at}[{j}]")
            kept.append((us, grant))
        if kept[-1][0] - kept[0][0] > _HORIZON_US:
            raise ConfigError(f"expected grants within {HORIZON.days} days of the latest", at)
        period, spent = rows[budget]
        if drawn is None:
            _check_old_period(kept, period, spent, at)
        else:
            total = Decimal(0)
            for us, v in kept:
                if period_key(utc(us), *drawn) == period:
                    total = EXACT.add(total, v)
            latest = period_key(utc(kept[-1][0]), *drawn)
            if latest != period or total != spent:
                raise ConfigError(
                    f"grants adding up to {total} in {period}, the latest in {latest}, but "
                    f"the allowance spent {spent} in {period}",
                    at,
                )
        out[budget] = kept
    return out


def _ledger_data(data: object, path: str) -> Mapping[str, Any]:
    """:meth:`GoodwillLedger.to_state` data's keys and count, checked."""
    d = mapping(data, path)
    keys = set(d) - {"currency", "charges", "period", "timezone"}
    if keys != {"spent", "per_ticket", "pending", "count"}:
        raise ConfigError(
            "expected {'spent', 'charges', 'per_ticket', 'pending', 'count', 'currency', "
            "'period', 'timezone'}",
            path,
        )
    if type(d["count"]) is not int or d["count"] < 0:
        raise ConfigError(f"expected a count, got {show(d['count'])}", f"{path}.count")
    return d


def _pending(
    d: Mapping[str, Any], known: Container[str], decimals: int | None, path: str
) -> dict[str, _Request]:
    """The pending requests of checked ledger data *d* (see :func:`_ledger_data`), oldest
    first; their amounts in the currency's form, or (*decimals* ``None``: another currency's,
    whose places the data does not say) as written, with at most six places."""
    count = d["count"]
    out: dict[str, _Request] = {}
    for i, raw in enumerate(_rows(d["pending"], 6, f"{path}.pending")):
        rid, tid, agent, amount, reason, tier = raw
        where = f"{path}.pending[{i}]"
        if tid not in known or rid in out:
            raise ConfigError(f"unknown ticket {show(tid)} (or request twice)", where)
        # The ids the ledger hands out: the ticket's, then a number the counter passed.
        number = rid.removeprefix(f"{tid}/goodwill/")
        if not (number.isascii() and number.isdigit()) or not 0 < int(number) <= count:
            raise ConfigError(
                f"expected a request id {tid}/goodwill/N with N from 1 to the count "
                f"({count}), got {show(rid)}",
                where,
            )
        try:
            value = parse_amount(amount, 6 if decimals is None else decimals)
        except ConfigError as exc:
            raise ConfigError(exc.detail, where) from None
        if decimals is None:
            value = Decimal(amount)  # checked: an amount, as the other currency wrote it
        out[rid] = _Request(tid, agent, value, reason, tier)
    return out


def dropped_requests(data: object, known: Container[str], path: str) -> list[DroppedRequest]:
    """The pending requests of :meth:`GoodwillLedger.to_state` *data* that an accepted config
    change drops with the ledger -- another currency, or the goodwill policy switched off --
    oldest first, checked as a ledger reads them (tickets must be *known*).

    Raises:
        ConfigError: Malformed data, with the path to it.
    """
    d = _ledger_data(data, path)
    currency = d.get("currency")
    if currency is not None and not isinstance(currency, str):
        raise ConfigError(f"expected a currency code, got {show(currency)}", f"{path}.currency")
    return [
        DroppedRequest(rid, r.ticket_id, r.agent_id, r.amount, currency)
        for rid, r in _pending(d, known, None, path).items()
    ]


def _rows(value: object, width: int, path: str) -> list[list[str]]:
    if not isinstance(value, list) or not all(
        isinstance(r, list) and len(r) == width and all(isinstance(x, str) for x in r)
        for r in value
    ):
        raise ConfigError(f"expected a list of {width} strings per row, got {show(value)}", path)
    return value


#: The most a snapshot's total (what an allowance spent, what a ticket received) may hold: a
#: million grants of the largest amount, so that sums of them stay exact in :mod:`decimal`'s
#: 28 digits (a tampered total past it would overflow at the next grant).
_MAX_TOTAL: Final = MAX_AMOUNT * 10**6


def _amount(value: object, decimals: int, path: str) -> Decimal:
    """A snapshot's total: a decimal string of at most 64 characters, zero or more, below
    :data:`_MAX_TOTAL`, with at most the currency's *decimals* decimal places (the check
    :func:`parse_amount` makes, with the totals' bound), in the currency's form."""
    amount = (
        _money(value, decimals, True, _MAX_TOTAL)
        if isinstance(value, str) and len(value) <= 64
        else None
    )
    if not isinstance(amount, Decimal):
        raise ConfigError(
            f"expected a decimal amount from 0 to below {_MAX_TOTAL:,} with at most "
            f"{decimals} decimal places, got {show(value)}",
            path,
        )
    return amount
