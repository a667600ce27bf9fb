"""A bad field inside a command's ticket, customer or agent profile is refused at its path.

``command_from_dict`` (and a journal given to ``Desk.restore``) reads a ``Submit`` row's
``ticket`` and an ``AddAgent`` / ``UpdateAgent`` row's ``profile``.  A refusal of a field in
them names the field's whole path (``command.ticket.customer.id``,
``command.profile.capacity.chat``, ``command.ticket.attributes.order.lines[1]``), not the
object holding it (``command.ticket``), with the message the constructor gives.

The property: take a valid row (a model value's ``to_dict``, through JSON), put a value of a
wrong kind in one nested field (or delete a required one), and the ``ConfigError``'s message
starts with that field's path.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow.desk.commands import AddAgent, Command, Submit, UpdateAgent, command_from_dict
from csflow.errors import ConfigError
from csflow.model import AgentProfile, Customer, Ticket, Tier
from csflow.testing.strategies import agent_profiles, tickets

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)

#: Where a reader must refuse a deleted key (every other key has a default).
REQUIRED = {
    ("ticket",): ("id", "customer", "channel", "created_at"),
    ("ticket", "customer"): ("id", "tier"),
    ("ticket", "customer", "tier"): ("name",),
    ("profile",): ("id",),
}

#: Values no field of a ticket, customer or profile takes (free-form attributes aside).
WRONG_KINDS = ([5], {"k": 1}, True, 2.5)
#: Values no free-form attribute takes (JSON has no NaN; attributes are 64-bit ints).
WRONG_ATTRIBUTES = (float("nan"), 2**70)

Key = str | int


def _path(keys: tuple[Key, ...]) -> str:
    out = "command"
    for k in keys:
        out += f"[{k}]" if isinstance(k, int) else f".{k}"
    return out


def _slots(value: Any, keys: tuple[Key, ...]) -> list[tuple[Key, ...]]:
    """Every field below the row's ticket or profile, containers and leaves."""
    out = [keys]
    if isinstance(value, dict):
        items: Any = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return out
    for k, v in items:
        out += _slots(v, (*keys, k))
    return out


def _get(row: Any, keys: tuple[Key, ...]) -> Any:
    for k in keys:
        row = row[k]
    return row


def _in_attributes(keys: tuple[Key, ...]) -> bool:
    return "attributes" in keys[:-1]


@st.composite
def commands(draw: st.DrawFn) -> Command:
    kind = draw(st.sampled_from(["Submit", "AddAgent", "UpdateAgent"]))
    if kind == "Submit":
        ticket = draw(tickets(created_at=T0))
        # Nested free-form attributes, on the ticket and its customer.
        customer = attrs.evolve(
            ticket.customer, attributes={"city": "jakarta", "orders": [1, {"n": 2}]}
        )
        attributes = {**ticket.attributes, "order": {"lines": [3, 4.5, "x"]}}
        return Submit(attrs.evolve(ticket, customer=customer, attributes=attributes), at=T0)
    profile = draw(agent_profiles())
    profile = attrs.evolve(profile, name=draw(st.sampled_from(["", "Sari"])))
    if kind == "AddAgent":
        return AddAgent(profile, "available", at=T0)
    return UpdateAgent(profile, at=T0)


def _refusal(row: dict[str, Any]) -> str:
    with pytest.raises(ConfigError) as exc:
        command_from_dict(row)
    return str(exc.value)


def _assert_at(message: str, keys: tuple[Key, ...]) -> None:
    expected = _path(keys)
    if keys[:3] == ("ticket", "customer", "tier") and len(keys) > 3:
        # A tier is one value (a name and a rank): refused at the tier or at its field.
        ok = message.startswith((f"{expected}: ", f"{_path(keys[:3])}: "))
    else:
        ok = message.startswith(f"{expected}: ")
    assert ok, f"expected the refusal at {expected}, got {message!r}"


@settings(max_examples=80, deadline=None, derandomize=True)
@given(commands(), st.data())
def test_a_bad_nested_field_is_refused_at_its_path(command: Command, data: st.DataObject) -> None:
    row = json.loads(json.dumps(command.to_dict()))
    assert command_from_dict(row) == command  # the row is valid as written
    top = ("ticket",) if isinstance(command, Submit) else ("profile",)
    slots = [s for s in _slots(row[top[0]], top) if len(s) > 1]
    keys = data.draw(st.sampled_from(slots), label="field")
    parent = _get(row, keys[:-1])
    if _in_attributes(keys):
        parent[keys[-1]] = data.draw(st.sampled_from(WRONG_ATTRIBUTES), label="value")
    else:
        # A container of another kind ({"k": 1} is a valid skills mapping, not a list).
        was = parent[keys[-1]]
        kinds = [v for v in WRONG_KINDS if not isinstance(v, type(was) if was is not None else ())]
        parent[keys[-1]] = data.draw(st.sampled_from(kinds), label="value")
    _assert_at(_refusal(row), keys)


@settings(max_examples=30, deadline=None, derandomize=True)
@given(commands(), st.data())
def test_a_missing_required_field_is_refused_at_its_path(
    command: Command, data: st.DataObject
) -> None:
    row = json.loads(json.dumps(command.to_dict()))
    top = "ticket" if isinstance(command, Submit) else "profile"
    holder = data.draw(st.sampled_from([k for k in REQUIRED if k[0] == top]), label="holder")
    key = data.draw(st.sampled_from(REQUIRED[holder]), label="key")
    del _get(row, holder)[key]
    _assert_at(_refusal(row), (*holder, key))


# -- worked examples, by hand ------------------------------------------------------------


def _submit_row() -> dict[str, Any]:
    customer = Customer("c1", Tier("gold", 2), attributes={"city": "jakarta"})
    ticket = Ticket(
        "t1",
        customer,
        "chat",
        T0,
        required_skills={"billing": 2},
        attributes={"order": {"lines": [1, 2]}},
    )
    return json.loads(json.dumps(Submit(ticket, at=T0).to_dict()))  # type: ignore[no-any-return]


def _agent_row() -> dict[str, Any]:
    profile = AgentProfile(
        "sari", skills={"billing": 3}, languages=["en", "id"], capacity={"chat": 2}
    )
    return json.loads(json.dumps(AddAgent(profile, at=T0).to_dict()))  # type: ignore[no-any-return]


def test_worked_examples_name_the_field() -> None:
    row = _submit_row()
    row["ticket"]["id"] = 5
    assert _refusal(row) == (
        "command.ticket.id: ticket id must be a non-empty string of at most 256 characters, got 5"
    )
    row = _submit_row()
    row["ticket"]["customer"]["id"] = ""
    assert _refusal(row).startswith("command.ticket.customer.id: customer id must be ")
    row = _submit_row()
    row["ticket"]["attributes"]["order"]["lines"][1] = float("nan")
    assert _refusal(row) == (
        "command.ticket.attributes.order.lines[1]: attribute value must be a finite number, got nan"
    )
    row = _submit_row()
    row["ticket"]["required_skills"]["billing"] = 9
    assert _refusal(row) == (
        "command.ticket.required_skills.billing: min_proficiency of skill 'billing' must be an "
        "int from 1 to 5, got 9"
    )
    row = _submit_row()
    row["ticket"]["channel"] = "Chat"
    assert _refusal(row).startswith("command.ticket.channel: channel name must be ")
    row = _agent_row()
    row["profile"]["capacity"]["chat"] = 1001
    assert _refusal(row) == (
        "command.profile.capacity.chat: capacity for channel 'chat' must be an int from 0 to "
        "1000, got 1001"
    )
    row = _agent_row()
    row["profile"]["skills"]["billing"] = 0
    assert _refusal(row) == (
        "command.profile.skills.billing: proficiency of skill 'billing' must be an int from "
        "1 to 5, got 0"
    )
    row = _agent_row()
    row["profile"]["languages"][1] = "ID"
    assert _refusal(row).startswith("command.profile.languages[1]: language must be ")


def test_a_journal_row_is_refused_at_its_index_and_field() -> None:
    row = _submit_row()
    row["ticket"]["customer"]["preferred_agent"] = 7
    with pytest.raises(ConfigError) as exc:
        command_from_dict(row, "journal[4]")
    assert exc.value.path == "journal[4].ticket.customer.preferred_agent"
    assert exc.value.detail.startswith("preferred_agent must be a non-empty string")


def test_the_constructors_keep_their_messages() -> None:
    # Built directly, the message is as before (it names the field); the path is the field's.
    with pytest.raises(ConfigError) as exc:
        AgentProfile("sari", capacity={"chat": -1})
    assert str(exc.value) == "capacity for channel 'chat' must be an int from 0 to 1000, got -1"
    assert exc.value.path == "capacity.chat"
    with pytest.raises(ConfigError) as exc:
        Customer("c1", Tier("gold"), attributes={"a": [1, float("inf")]})
    assert str(exc.value) == "attributes.a[1] must be a finite number, got inf"
    assert exc.value.path == "attributes.a[1]"
