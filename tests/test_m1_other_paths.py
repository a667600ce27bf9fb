"""Paths of refusals inside a command's ticket or profile that its readers name.

An unknown key inside a ticket, its customer or tier, or an agent profile is refused at its own
path (``command.ticket.customer.tierz``), as ``command_from_dict`` refuses one of the command
itself; a tier's key that is not ``name`` or ``rank`` is refused (it was dropped); a bad tier
name or rank is refused at ``tier.name`` / ``tier.rank``; an agent group whose name makes no
agent id is refused at ``name`` (not at the profile's ``id``).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow.desk.commands import AddAgent, Submit, command_from_dict
from csflow.errors import ConfigError
from csflow.model import AgentProfile, Customer, Ticket, Tier
from csflow.sim.scenario import AgentGroup

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)


def _submit_row() -> dict[str, Any]:
    ticket = Ticket("t1", Customer("c1", Tier("gold", 2)), "chat", T0)
    return json.loads(json.dumps(Submit(ticket, at=T0).to_dict()))  # type: ignore[no-any-return]


def _agent_row() -> dict[str, Any]:
    profile = AgentProfile("sari", capacity={"chat": 2})
    return json.loads(json.dumps(AddAgent(profile, at=T0).to_dict()))  # type: ignore[no-any-return]


HOLDERS = {
    "command.ticket": lambda r: r["ticket"],
    "command.ticket.customer": lambda r: r["ticket"]["customer"],
    "command.ticket.customer.tier": lambda r: r["ticket"]["customer"]["tier"],
    "command.profile": lambda r: r["profile"],
}


@settings(max_examples=40, deadline=None, derandomize=True)
@given(
    st.sampled_from(sorted(HOLDERS)),
    st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12),
)
def test_an_unknown_key_is_refused_at_its_own_path(holder: str, key: str) -> None:
    row = _agent_row() if holder == "command.profile" else _submit_row()
    target = HOLDERS[holder](row)
    if key in target:
        return
    target[key] = 1
    with pytest.raises(ConfigError) as exc:
        command_from_dict(row)
    assert exc.value.path == f"{holder}.{key}"
    assert exc.value.detail.startswith(f"unknown key {key!r}; expected one of ")


@pytest.mark.parametrize(
    ("field", "value", "detail"),
    [
        ("name", "Gold", "tier name must be a lowercase name"),
        ("name", None, "tier name must be a lowercase name"),
        ("rank", -1, "tier rank must be a non-negative int, got -1"),
        ("rank", "2", "tier rank must be a non-negative int, got '2'"),
    ],
)
def test_a_bad_tier_field_is_refused_at_it(field: str, value: object, detail: str) -> None:
    row = _submit_row()
    row["ticket"]["customer"]["tier"][field] = value
    with pytest.raises(ConfigError) as exc:
        command_from_dict(row)
    assert exc.value.path == f"command.ticket.customer.tier.{field}"
    assert exc.value.detail.startswith(detail)


def test_an_agent_group_name_that_makes_no_id_is_refused_at_the_name() -> None:
    with pytest.raises(ConfigError) as exc:
        AgentGroup("x" * 300, 1)
    assert exc.value.path == "name"
    with pytest.raises(ConfigError) as exc:
        AgentGroup("ok", 1, capacity={"chat": -1})
    assert exc.value.path == "capacity.chat"
