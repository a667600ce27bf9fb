"""Capacity and presence: how channels share an agent's capacity, and which presence states
route work.

Both are plain configuration values that an :class:`~csflow.routing.pool.AgentPool` reads
when it decides whether an agent can take one more ticket of a channel.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import attrs

from csflow._frozen import FrozenDict
from csflow._text import show
from csflow.errors import ConfigError
from csflow.model import Channel
from csflow.routing._checks import check_name

__all__ = ["CapacityRules", "PresenceStates"]


def _channel_ints(kind: str, value: Mapping[Channel | str, int]) -> Mapping[str, int]:
    if not isinstance(value, Mapping):
        raise ConfigError(f"{kind} must be a mapping of channel -> int, got {show(value)}")
    out: dict[str, int] = {}
    for channel, n in value.items():
        name = Channel.parse(channel).name
        if not isinstance(n, int) or isinstance(n, bool) or n < 0:
            raise ConfigError(f"{kind} for channel {show(name)} must be an int >= 0, got {show(n)}")
        out[name] = n
    # Read-only: a pool indexes its agents by these numbers, and a change behind its back
    # would leave the indexes wrong.
    return FrozenDict(out)


def _to_weights(value: Mapping[Channel | str, int]) -> Mapping[str, int]:
    return _channel_ints("weight", value)


def _to_limits(value: Mapping[Channel | str, int]) -> Mapping[str, int]:
    return _channel_ints("limit", value)


def _to_channel_set(value: Iterable[Channel | str]) -> frozenset[str]:
    if isinstance(value, str | Mapping) or not isinstance(value, Iterable):
        raise ConfigError(f"exclusive must be a collection of channels, got {show(value)}")
    return frozenset(Channel.parse(c).name for c in value)


@attrs.frozen
class CapacityRules:
    """How channels share an agent's capacity.

    An agent may take one more ticket of channel *c* when (1) it holds fewer than its
    capacity for *c* (the agent profile's number, capped by *limits*), (2) it holds no ticket
    of an exclusive channel, (3) *c* is not exclusive or the agent holds nothing at all, and
    (4) with a *budget*, its load plus the weight of *c* stays within the budget.

    Args:
        weights: Channel -> load units one ticket of it uses (default 1).
        limits: Channel -> a cap on tickets of it at once, over every agent's own capacity.
        exclusive: Channels whose ticket blocks everything else (a phone call); by default
            the phone.
        budget: The most load units an agent carries at once, or ``None`` for no total limit.

    Raises:
        ConfigError: A malformed channel, a negative number or a weight of 0.

    Examples:
        >>> rules = CapacityRules(weights={"email": 2}, exclusive={"phone"}, budget=3)
    """

    weights: Mapping[str, int] = attrs.field(factory=dict, converter=_to_weights)
    limits: Mapping[str, int] = attrs.field(factory=dict, converter=_to_limits)
    exclusive: frozenset[str] = attrs.field(default=frozenset({"phone"}), converter=_to_channel_set)
    budget: int | None = attrs.field(default=None)

    def __attrs_post_init__(self) -> None:
        for channel, w in self.weights.items():
            if w == 0:
                raise ConfigError(f"weight for channel {show(channel)} must be >= 1, got 0")
        b = self.budget
        if b is not None and (not isinstance(b, int) or isinstance(b, bool) or b < 1):
            raise ConfigError(f"budget must be an int >= 1 or None, got {show(b)}")

    def weight(self, channel: str) -> int:
        """Load units one ticket of *channel* uses."""
        return self.weights.get(channel, 1)


_DEFAULT_PRESENCE = {"available": True, "busy": False, "away": False, "offline": False}


def _to_custom(value: Mapping[str, bool]) -> Mapping[str, bool]:
    if not isinstance(value, Mapping):
        raise ConfigError(
            f"custom presence states must be a mapping name -> bool, got {show(value)}"
        )
    for name, routable in value.items():
        check_name("presence state", name)
        if name in _DEFAULT_PRESENCE:
            raise ConfigError(f"presence state {show(name)} is built in and cannot be redefined")
        if not isinstance(routable, bool):
            raise ConfigError(
                f"presence state {show(name)} must map to a bool, got {show(routable)}"
            )
    return FrozenDict(dict(value))  # read-only, as the rules' mappings


@attrs.frozen
class PresenceStates:
    """The presence states agents may be in, and which of them route work.

    ``available`` routes; ``busy``, ``away`` and ``offline`` do not.  *custom* adds states,
    each routable or not (``{"lunch": False, "overflow_ready": True}``).

    Raises:
        ConfigError: A malformed name, a built-in redefined, or a non-bool flag.
    """

    custom: Mapping[str, bool] = attrs.field(factory=dict, converter=_to_custom)

    def routable(self, state: str) -> bool:
        """Whether agents in *state* receive work.

        Raises:
            ConfigError: *state* is not a declared state.
        """
        flag = _DEFAULT_PRESENCE.get(state) if isinstance(state, str) else None
        if flag is None:
            flag = self.custom.get(state) if isinstance(state, str) else None
            if flag is None:
                raise ConfigError(
                    f"presence state must be one of {show(sorted(self.names()))}, got {show(state)}"
                )
        return flag

    def names(self) -> frozenset[str]:
        """Every declared state."""
        return frozenset(_DEFAULT_PRESENCE) | frozenset(self.custom)
