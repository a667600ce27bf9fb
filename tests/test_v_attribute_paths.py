"""A refused free-form attribute is named once, with the value and what was expected.

Built directly, ``Ticket`` and ``Customer`` name the attribute in the message
(``attributes.x must be a finite number, got nan``); read from plain data, the reader puts
the whole path in front (``command.ticket.attributes.x: ...``), so the rest of the message
must not name it a second time -- nor name it wrongly, as the customer's attributes relative
to the customer when the path starts at the ticket.
"""

from __future__ import annotations

import copy
import json
import pickle
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csflow._config import wrap
from csflow.desk.commands import Submit, command_from_dict
from csflow.desk.serialisation import ticket_from_dict, ticket_to_dict
from csflow.errors import ConfigError
from csflow.model import MAX_ATTRIBUTE_DEPTH, MAX_ATTRIBUTE_STRING, Customer, Ticket, Tier

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
GOLD = Tier("gold", 2)

#: (bad value, what the message says is expected, the value as the message shows it)
BAD_LEAVES: list[tuple[Any, str, str]] = [
    (float("nan"), "must be a finite number", "got nan"),
    (float("inf"), "must be a finite number", "got inf"),
    (2**63, "must be a 64-bit integer", f"got {2**63}"),
    ({1, 2}, "must be a JSON value", "got {1, 2}"),
    ("\ud800", "must be text without lone surrogates", "got '\\ud800'"),
    ("x" * (MAX_ATTRIBUTE_STRING + 1), "is a string of 65537 characters", "at most 65536"),
]

SEGMENTS = st.sampled_from(["order", "lines", "a", "x-1", "kota"])


def _plant(steps: list[str | int], leaf: Any) -> tuple[dict[str, Any], str]:
    """Attributes holding *leaf* under *steps* (a name: a mapping key; an int: a list
    index), and the leaf's path relative to the value (``attributes.order.lines[1]``)."""
    path = "attributes"
    value: Any = leaf
    for step in reversed(steps):
        value = [0] * step + [value] if isinstance(step, int) else {step: value}
    for step in steps:
        path += f"[{step}]" if isinstance(step, int) else f".{step}"
    assert isinstance(value, dict)
    return value, path


STEPS = st.builds(
    lambda first, rest: [first, *rest],
    SEGMENTS,
    st.lists(st.one_of(SEGMENTS, st.integers(0, 2)), max_size=4),
)


def _submit_row(attributes: dict[str, Any], customer_attributes: dict[str, Any]) -> Any:
    row = json.loads(json.dumps(Submit(_ticket(), at=T0).to_dict()))
    row["ticket"]["attributes"] = attributes
    row["ticket"]["customer"]["attributes"] = customer_attributes
    return row


def _ticket(**kwargs: Any) -> Ticket:
    return Ticket("t1", Customer("c1", GOLD), "chat", T0, **kwargs)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(steps=STEPS, bad=st.sampled_from(BAD_LEAVES), on_customer=st.booleans())
def test_a_bad_attribute_is_named_once_in_a_command(
    steps: list[str | int], bad: tuple[Any, str, str], on_customer: bool
) -> None:
    leaf, expected, shown = bad
    attributes, relative = _plant(steps, leaf)
    row = _submit_row({}, attributes) if on_customer else _submit_row(attributes, {"city": "x"})
    where = "command.ticket.customer." if on_customer else "command.ticket."
    with pytest.raises(ConfigError) as exc:
        command_from_dict(row)
    err = exc.value
    assert err.path == where + relative
    message = str(err)
    assert message.startswith(f"{err.path}: ")
    assert message == f"{err.path}: {err.detail}"
    # The path once: the detail names no attribute path (a relative one would be wrong too).
    assert "attributes." not in err.detail
    assert "attributes[" not in err.detail
    assert expected in err.detail
    assert shown in err.detail


@settings(max_examples=40, deadline=None, derandomize=True)
@given(steps=STEPS, bad=st.sampled_from(BAD_LEAVES))
def test_built_directly_the_message_names_the_attribute_once(
    steps: list[str | int], bad: tuple[Any, str, str]
) -> None:
    leaf, expected, shown = bad
    attributes, relative = _plant(steps, leaf)
    for build in (
        lambda: _ticket(attributes=attributes),
        lambda: Customer("c", GOLD, attributes=attributes),
    ):
        with pytest.raises(ConfigError) as exc:
            build()
        err = exc.value
        assert err.path == relative
        message = str(err)
        assert message.startswith(f"{relative} ")
        assert message.count(relative) == 1
        assert expected in message
        assert shown in message
        # Read back through a process boundary (sweeps run in pools) or copied: the same.
        for again in (pickle.loads(pickle.dumps(err)), copy.copy(err)):
            assert type(again) is type(err)
            assert (str(again), again.path, again.detail) == (message, err.path, err.detail)


def test_worked_examples() -> None:
    nan_row = _submit_row({"order": {"lines": [1, float("nan")]}}, {})
    with pytest.raises(ConfigError) as exc:
        command_from_dict(nan_row)
    assert str(exc.value) == (
        "command.ticket.attributes.order.lines[1]: attribute value must be a finite number, got nan"
    )
    data = ticket_to_dict(_ticket())
    data["customer"]["attributes"] = {"m": {"k": {3: "x"}}}
    with pytest.raises(ConfigError) as exc:
        ticket_from_dict(data)
    assert str(exc.value) == (
        "ticket.customer.attributes.m.k: attribute names must be strings, got 3"
    )
    assert exc.value.path == "ticket.customer.attributes.m.k"
    data = ticket_to_dict(_ticket())
    data["attributes"] = {"k": {"\ud800": 1}}
    with pytest.raises(ConfigError) as exc:
        ticket_from_dict(data, "journal[3].ticket")
    assert str(exc.value) == (
        "journal[3].ticket.attributes.k: attribute names must be text without lone surrogates "
        "(U+D800-U+DFFF), got '\\ud800'"
    )
    deep: Any = "bottom"
    for _ in range(MAX_ATTRIBUTE_DEPTH):
        deep = [deep]
    data = ticket_to_dict(_ticket())
    data["attributes"] = {"d": deep}
    with pytest.raises(ConfigError) as exc:
        ticket_from_dict(data)
    inner = "[0]" * (MAX_ATTRIBUTE_DEPTH - 1)
    assert str(exc.value) == (
        f"ticket.attributes.d{inner}: attribute value nests deeper than 16 levels"
    )
    # A key too long, at the top level: the message names it once as well.
    data = ticket_to_dict(_ticket())
    data["attributes"] = {"k" * (MAX_ATTRIBUTE_STRING + 1): 1}
    with pytest.raises(ConfigError) as exc:
        ticket_from_dict(data)
    assert str(exc.value) == (
        "ticket.attributes: attribute name of 65537 characters; at most 65536"
    )


def test_the_constructors_messages_are_unchanged() -> None:
    with pytest.raises(ConfigError) as exc:
        Customer("c1", GOLD, attributes={"a": [1, float("inf")]})
    assert str(exc.value) == "attributes.a[1] must be a finite number, got inf"
    with pytest.raises(ConfigError) as exc:
        _ticket(attributes={"m": {"k": {3: "x"}}})
    assert str(exc.value) == "attribute names must be strings, got 3 in attributes.m.k"
    assert exc.value.path == "attributes.m.k"
    with pytest.raises(ConfigError) as exc:
        _ticket(attributes={1: "x"})
    assert str(exc.value) == "attribute names must be strings, got 1"
    assert exc.value.path == "attributes"


@pytest.mark.parametrize("where", ["a", "attr", "c", "i", "id", "ticket", "journal[2].ticket"])
def test_a_reader_at_a_short_path_keeps_its_path(where: str) -> None:
    """The reader's path goes in front of the field's, whatever letters the two share (a
    ticket read at ``a`` refused its attribute at ``attributes.x``, the reader's path lost)."""
    data = ticket_to_dict(_ticket())
    data["attributes"] = {"x": float("nan")}
    with pytest.raises(ConfigError) as exc:
        ticket_from_dict(data, where)
    assert exc.value.path == f"{where}.attributes.x"
    assert (
        str(exc.value) == f"{where}.attributes.x: attribute value must be a finite number, got nan"
    )
    data = ticket_to_dict(_ticket())
    data["customer"]["id"] = ""
    with pytest.raises(ConfigError) as exc:
        ticket_from_dict(data, where)
    assert exc.value.path == f"{where}.customer.id"
    assert str(exc.value).startswith(f"{where}.customer.id: customer id must be ")


def test_wrap_tells_a_path_under_its_own_from_one_sharing_its_letters() -> None:
    def refuse(path: str) -> None:
        raise ConfigError("bad", path)

    for inner, expected in [
        ("ticket.id", "ticket.id"),  # already in the whole document
        ("ticket[0]", "ticket[0]"),
        ("ticket", "ticket"),
        ("ticket_id", "ticket.ticket_id"),  # relative: only its letters are shared
        ("tickets[0]", "ticket.tickets[0]"),
        ("[3]", "ticket[3]"),
    ]:
        with pytest.raises(ConfigError) as exc:
            wrap("ticket", refuse, inner)
        assert exc.value.path == expected
        assert str(exc.value) == f"{expected}: bad"
