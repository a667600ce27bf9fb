"""Escalation and transfers: which teams may escalate to which (:class:`EscalationGraph`, a
validated networkx ``DiGraph``), and how many hand-overs a ticket may have
(:class:`TransferPolicy`, counted by a :class:`TransferLedger` as :class:`HandOver` records).
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from typing import Literal

import attrs
import networkx as nx

from csflow._text import did_you_mean, path_key, show
from csflow._time import to_instant_us
from csflow.errors import ConfigError, InvalidTransitionError, TransferLimitError
from csflow.queues import Instant
from csflow.routing._checks import check_ticket_id

__all__ = ["EscalationGraph", "HandOver", "TransferLedger", "TransferPolicy"]

# How much of an escalation cycle a message shows: its first teams, and names up to a length.
_LOOP_TEAMS = 12
_LOOP_NAME_CHARS = 64


def _to_team_list(value: object, path: str) -> list[str]:
    # A set's order changes from run to run (string hashes are salted), and a mapping's keys
    # are rarely what was meant: the order of teams matters (the first entry team is where a
    # desk escalates from, and the order shows in messages and in DeskConfig.to_dict).
    if isinstance(value, str | Mapping | AbstractSet) or not isinstance(value, Iterable):
        raise ConfigError(f"must be a list of team names, got {show(value)}", path)
    out = list(value)
    for i, t in enumerate(out):
        if not isinstance(t, str) or not t:
            raise ConfigError(
                f"team name must be a non-empty string, got {show(t)}", f"{path}[{i}]"
            )
    return out


def _loop_text(loop: Sequence[str]) -> str:
    """A cycle of teams for a message, ``front -> technical -> front``: a long cycle shows
    its first teams and how many it has, and a long name is abbreviated, so the message stays
    short whatever the graph holds."""
    names = [t if len(t) <= _LOOP_NAME_CHARS else show(t) for t in loop]
    if len(names) <= _LOOP_TEAMS:
        return " -> ".join(names)
    shown = " -> ".join(names[: _LOOP_TEAMS - 2])
    return f"{shown} -> ... -> {names[-1]} (a cycle of {len(loop) - 1:,} teams)"


class EscalationGraph:
    """Teams and who may escalate to whom, as a validated networkx ``DiGraph``.

    Args:
        teams: Every team, in order (a list, a tuple or another ordered iterable: a set or a
            mapping is refused, since its order is not the one meant).
        edges: ``(from_team, to_team)`` escalations allowed.
        entry: Where tickets start (the front line), in order, as *teams*; every team must
            be reachable from them.

    Raises:
        ConfigError: Unknown teams; a team, an entry team or an edge listed twice; a cycle;
            an unreachable team; the error's path names the offending part (``edges[2]``,
            ``teams[4]``).

    Two graphs are equal when they list the same teams and entry teams in the same order and
    each team may escalate to the same teams in the same order: the first entry team is
    where a desk escalates from when a ticket's queue belongs to no team, and the orders
    show in error messages.  ``DeskConfig.to_dict`` writes a graph as the data
    :meth:`from_dict` reads (its ``"escalation"`` key).

    Examples:
        >>> g = EscalationGraph.from_dict({
        ...     "teams": ["front", "technical", "engineering", "finance"],
        ...     "entry": ["front"],
        ...     "edges": {"front": ["technical", "finance"], "technical": ["engineering"]},
        ... })
        >>> g.can_escalate("front", "finance")
        True
    """

    def __init__(
        self,
        teams: Iterable[str],
        edges: Iterable[tuple[str, str]],
        entry: Iterable[str],
        *,
        _paths: Sequence[str] | None = None,
    ) -> None:
        team_list = _to_team_list(teams, "teams")
        seen: set[str] = set()
        for i, t in enumerate(team_list):
            if t in seen:
                raise ConfigError(f"team {show(t)} listed twice", f"teams[{i}]")
            seen.add(t)
        entry_list = _to_team_list(entry, "entry")
        if not entry_list:
            raise ConfigError("at least one entry team is required, got []", "entry")
        entered: set[str] = set()
        for i, t in enumerate(entry_list):
            if t not in seen:
                raise ConfigError(
                    f"unknown team {show(t)}{did_you_mean(t, team_list)}", f"entry[{i}]"
                )
            if t in entered:
                raise ConfigError(f"team {show(t)} listed twice", f"entry[{i}]")
            entered.add(t)
        if isinstance(edges, str | Mapping | AbstractSet) or not isinstance(edges, Iterable):
            raise ConfigError(f"must be a list of (from, to) pairs, got {show(edges)}", "edges")
        edge_list = list(edges)
        paths = (
            list(_paths) if _paths is not None else [f"edges[{i}]" for i in range(len(edge_list))]
        )
        graph: nx.DiGraph[str] = nx.DiGraph()
        graph.add_nodes_from(team_list)
        for edge, path in zip(edge_list, paths, strict=True):
            if not (isinstance(edge, tuple) and len(edge) == 2):
                raise ConfigError(f"an edge must be a (from, to) pair, got {show(edge)}", path)
            src, dst = edge
            for t in (src, dst):
                if not isinstance(t, str) or t not in seen:
                    raise ConfigError(
                        f"unknown team {show(t)}; known: {show(team_list)}"
                        f"{did_you_mean(t, team_list)}",
                        path,
                    )
            if graph.has_edge(src, dst):
                raise ConfigError(f"edge {show(src)} -> {show(dst)} listed twice", path)
            graph.add_edge(src, dst)
        try:
            cycle = nx.find_cycle(graph)
        except nx.NetworkXNoCycle:
            pass
        else:
            raise ConfigError(
                f"escalation cycle {_loop_text([cycle[0][0], *(v for _, v in cycle)])}", "edges"
            )
        # One walk from all the entry teams at once: each team's targets are read once, however
        # many entry teams reach it (a walk per entry team costs teams x entry teams).
        reachable: set[str] = set(entry_list)
        stack = list(entry_list)
        while stack:
            for dst in graph.successors(stack.pop()):
                if dst not in reachable:
                    reachable.add(dst)
                    stack.append(dst)
        for i, t in enumerate(team_list):
            if t not in reachable:
                raise ConfigError(
                    f"team {show(t)} cannot be reached from the entry teams {show(entry_list)}",
                    f"teams[{i}]",
                )
        self._graph = graph
        self.teams: tuple[str, ...] = tuple(team_list)
        self.entry: tuple[str, ...] = tuple(entry_list)

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> EscalationGraph:
        """Load from plain data: ``{"teams": [...], "entry": [...], "edges": {...}}``.

        ``edges`` maps a team to the teams it may escalate to (or is a list of pairs).  Teams,
        entry teams and each team's targets are lists (a set or a mapping is refused: see the
        constructor).

        Raises:
            ConfigError: Anything malformed, with its path.
        """
        if not isinstance(data, Mapping):
            raise ConfigError(f"escalation config must be a mapping, got {show(data)}")
        unknown = set(data) - {"teams", "entry", "edges"}
        if unknown:
            first = sorted(unknown, key=repr)[0]
            raise ConfigError(
                f"unknown keys {show(sorted(unknown, key=repr))}; expected teams, entry, edges"
                f"{did_you_mean(first, ('teams', 'entry', 'edges'))}"
            )
        if "teams" not in data:
            raise ConfigError("'teams' is required", "teams")
        if "entry" not in data:
            raise ConfigError("'entry' is required (the front-line teams)", "entry")
        raw = data.get("edges", {})
        edges: list[tuple[str, str]] = []
        paths: list[str] = []
        if isinstance(raw, Mapping):
            for src, dsts in raw.items():
                # (A key's path is bounded and printable, whatever the document's key holds.)
                where = path_key("edges", src)
                for i, dst in enumerate(_to_team_list(dsts, where)):
                    edges.append((src, dst))
                    paths.append(f"{where}[{i}]")
        elif isinstance(raw, Iterable) and not isinstance(raw, str | AbstractSet):
            for i, pair in enumerate(raw):
                if not (
                    isinstance(pair, Sequence) and not isinstance(pair, str) and len(pair) == 2
                ):
                    raise ConfigError(
                        f"an edge must be a [from, to] pair, got {show(pair)}", f"edges[{i}]"
                    )
                edges.append((pair[0], pair[1]))
                paths.append(f"edges[{i}]")
        else:
            raise ConfigError(f"must be a mapping or a list of pairs, got {show(raw)}", "edges")
        teams = data["teams"]
        entry = data["entry"]
        return cls(
            _to_team_list(teams, "teams"), edges, _to_team_list(entry, "entry"), _paths=paths
        )

    def _value(self) -> tuple[tuple[str, ...], tuple[str, ...], tuple[tuple[str, ...], ...]]:
        # Read through successors() (the graph's own adjacency), never a view such as
        # ``.pred`` or ``.adj``: networkx caches a view on the graph object the first time it
        # is read, and a config's fingerprint reads the graph's attributes.
        edges = tuple(tuple(self._graph.successors(t)) for t in self.teams)
        return self.teams, self.entry, edges

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, EscalationGraph):
            return NotImplemented
        return self._value() == other._value()

    def __hash__(self) -> int:
        return hash(self._value())

    @property
    def graph(self) -> nx.DiGraph[str]:
        """A copy of the graph (changing it does not change this object)."""
        return self._graph.copy()

    def can_escalate(self, src: str, dst: str) -> bool:
        """Whether *src* may escalate directly to *dst* (``False`` for a team not in the graph).

        Raises:
            ConfigError: A team name that is not a string.
        """
        for team in (src, dst):
            if not isinstance(team, str):
                raise ConfigError(f"team must be a team name, got {show(team)}")
        return self._graph.has_edge(src, dst)

    def targets(self, team: str) -> tuple[str, ...]:
        """The teams *team* may escalate to directly.

        Raises:
            ConfigError: An unknown team.
        """
        self.check_team(team)
        return tuple(self._graph.successors(team))

    def path(self, src: str, dst: str) -> list[str] | None:
        """The shortest chain of escalations from *src* to *dst*, or ``None``.

        Raises:
            ConfigError: An unknown team.
        """
        self.check_team(src)
        self.check_team(dst)
        try:
            return list(nx.shortest_path(self._graph, src, dst))
        except nx.NetworkXNoPath:
            return None

    def check_team(self, team: str) -> None:
        """Raise unless *team* is one of the graph's teams.

        Raises:
            ConfigError: An unknown team.
        """
        if not isinstance(team, str) or team not in self._graph:
            raise ConfigError(f"team must be one of {show(list(self.teams))}, got {show(team)}")


@attrs.frozen
class TransferPolicy:
    """How many hand-overs (transfers and escalations) a ticket may have.

    Args:
        max_transfers: The limit, or ``None`` for none.
        on_limit: ``"refuse"`` raises :class:`TransferLimitError` on the hand-over past the
            limit; ``"flag"`` lets it through with ``flagged=True`` (the desk emits
            ``TransferLimitReached``).
    """

    max_transfers: int | None = 3
    on_limit: Literal["refuse", "flag"] = "refuse"

    def __attrs_post_init__(self) -> None:
        m = self.max_transfers
        if m is not None and (not isinstance(m, int) or isinstance(m, bool) or m < 0):
            raise ConfigError(f"max_transfers must be an int >= 0 or None, got {show(m)}")
        if self.on_limit not in ("refuse", "flag"):
            raise ConfigError(f"on_limit must be 'refuse' or 'flag', got {show(self.on_limit)}")


@attrs.frozen
class HandOver:
    """A recorded hand-over.

    Attributes:
        ticket_id: The ticket.
        kind: ``"transfer"`` or ``"escalation"``.
        count: Hand-overs of the ticket so far, this one included.
        flagged: It went past ``max_transfers`` under the ``"flag"`` policy.
        from_team: The team handing over, if known.
        to_team: The team receiving, if known.
        at_us: When.
    """

    ticket_id: str
    kind: str
    count: int
    flagged: bool
    from_team: str | None
    to_team: str | None
    at_us: int


class TransferLedger:
    """Counts transfers and escalations per ticket and applies a :class:`TransferPolicy`.

    Args:
        policy: The limit and what to do past it.
        graph: When given, escalations must follow its edges.

    Raises:
        ConfigError: A *policy* that is not a :class:`TransferPolicy` or a *graph* that is not
            an :class:`EscalationGraph`.

    Every method that raises has changed nothing; a ticket id that is not a non-empty
    string is a :class:`~csflow.errors.ConfigError`.
    """

    def __init__(
        self, policy: TransferPolicy | None = None, graph: EscalationGraph | None = None
    ) -> None:
        if policy is not None and not isinstance(policy, TransferPolicy):
            raise ConfigError(f"policy must be a TransferPolicy or None, got {show(policy)}")
        if graph is not None and not isinstance(graph, EscalationGraph):
            raise ConfigError(f"graph must be an EscalationGraph or None, got {show(graph)}")
        self.policy = TransferPolicy() if policy is None else policy
        self.graph = graph
        self._counts: dict[str, int] = {}

    def count(self, ticket_id: str) -> int:
        """Hand-overs of *ticket_id* so far.

        Raises:
            ConfigError: *ticket_id* is not a ticket id.
        """
        if type(ticket_id) is not str or not ticket_id:
            check_ticket_id(ticket_id)
        return self._counts.get(ticket_id, 0)

    def would_flag(self, ticket_id: str) -> bool:
        """Whether the next hand-over of *ticket_id* goes past the limit.

        Raises:
            ConfigError: *ticket_id* is not a ticket id.
        """
        m = self.policy.max_transfers
        n = self.count(ticket_id)
        return m is not None and n >= m

    def check(self, ticket_id: str) -> None:
        """Raise if the policy would refuse the next hand-over of *ticket_id* (changes nothing).

        Raises:
            ConfigError: *ticket_id* is not a ticket id.
            TransferLimitError: The ticket reached ``max_transfers`` and the policy refuses.
        """
        if self.would_flag(ticket_id) and self.policy.on_limit == "refuse":
            raise TransferLimitError(
                f"ticket {ticket_id!r} was handed over {self.count(ticket_id)} times; "
                f"max_transfers={self.policy.max_transfers} refuses another"
            )

    def hand_over(
        self,
        ticket_id: str,
        *,
        at: Instant,
        kind: Literal["transfer", "escalation"] = "transfer",
        from_team: str | None = None,
        to_team: str | None = None,
    ) -> HandOver:
        """Record a hand-over of *ticket_id*.

        Raises:
            ConfigError: A *ticket_id* that is not a ticket id (a non-empty string), an
                unknown kind, a team that is not a team name, or an escalation without both
                teams.
            InvalidTransitionError: The escalation graph has no edge ``from_team -> to_team``.
            TransferLimitError: The ticket reached ``max_transfers`` and the policy refuses.
        """
        check_ticket_id(ticket_id)
        if kind not in ("transfer", "escalation"):
            raise ConfigError(f"kind must be 'transfer' or 'escalation', got {show(kind)}")
        for name, team in (("from_team", from_team), ("to_team", to_team)):
            if team is not None and (not isinstance(team, str) or not team):
                raise ConfigError(f"{name} must be a team name or None, got {show(team)}")
        at_us = to_instant_us(at)
        if kind == "escalation" and self.graph is not None:
            if from_team is None or to_team is None:
                raise ConfigError("an escalation needs from_team and to_team")
            self.graph.check_team(from_team)
            self.graph.check_team(to_team)
            if not self.graph.can_escalate(from_team, to_team):
                raise InvalidTransitionError(
                    f"team {show(from_team)} may not escalate to {show(to_team)}; allowed: "
                    f"{show(list(self.graph.targets(from_team)))}"
                )
        self.check(ticket_id)
        flagged = self.would_flag(ticket_id)
        n = self._counts[ticket_id] = self.count(ticket_id) + 1
        return HandOver(ticket_id, kind, n, flagged, from_team, to_team, at_us)

    def forget(self, ticket_id: str) -> None:
        """Drop *ticket_id*'s count (the desk forgot the ticket).

        Raises:
            ConfigError: *ticket_id* is not a ticket id.
        """
        if type(ticket_id) is not str or not ticket_id:
            check_ticket_id(ticket_id)
        self._counts.pop(ticket_id, None)

    def to_state(self, kept: Container[str]) -> dict[str, int]:
        """The hand-over counts of the *kept* tickets, as plain data."""
        return {t: n for t, n in self._counts.items() if t in kept}

    def load_state(self, data: object, known: Container[str], path: str = "transfers") -> None:
        """Set the counts :meth:`to_state` wrote (tickets must be *known*), in place of the
        ledger's own: a ticket missing from *data* has had no hand-over.

        Every count is checked before any is set: when it raises, the ledger is unchanged.

        Raises:
            ConfigError: Malformed data or an unknown ticket, with the path to it.
        """
        if not isinstance(data, dict):
            raise ConfigError(f"expected a mapping, got {show(data)}", path)
        for tid, n in data.items():
            if not isinstance(tid, str) or tid not in known:
                raise ConfigError(f"expected a known ticket id, got {show(tid)}", f"{path}.{tid}")
            if type(n) is not int or n < 1:
                raise ConfigError(
                    f"expected a count of a known ticket, got {show(n)}", f"{path}.{tid}"
                )
        self._counts = dict(data)
