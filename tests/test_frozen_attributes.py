"""Free-form attributes are read-only at every level, and still read, compare, pickle and
travel as the plain JSON data they were given."""

from __future__ import annotations

import copy
import json
import pickle
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from csflow import Customer, Tier
from csflow.desk import ticket_from_dict, ticket_to_dict
from csflow.model import Ticket
from csflow.policies import PolicyContext
from csflow.rules import RuleSet, ticket_context

T0 = datetime(2026, 3, 16, 9, 0, tzinfo=UTC)
ORDER: dict[str, Any] = {
    "order": {"value": 7_500_000, "items": ["a", {"sku": "x", "tags": ["gift"]}], "meta": {}},
    "flags": [[1, 2], []],
}


def _ticket(attributes: Mapping[str, Any] = ORDER) -> Ticket:
    customer = Customer("c", Tier("gold", 3), attributes={"address": {"city": "Bandung"}})
    return Ticket("T1", customer, "chat", T0, attributes=attributes)


def _containers(value: Any) -> list[Any]:
    """Every mapping and list inside *value* (not *value* itself)."""
    out: list[Any] = []
    stack = [value]
    while stack:
        node = stack.pop()
        for child in node.values() if isinstance(node, Mapping) else node:
            if isinstance(child, Mapping | list):
                out.append(child)
                stack.append(child)
    return out


def _read_only(node: Any) -> bool:
    """Whether *node* (a mapping or a list) refuses a change."""
    try:
        if isinstance(node, Mapping):
            node["probe"] = 1  # type: ignore[index]
        else:
            node.append(1)
    except TypeError:
        return True
    return False


MAPPING_CHANGES: list[Callable[[Any], object]] = [
    lambda m: m.__setitem__("x", 1),
    lambda m: m.__delitem__(next(iter(m), "x")),
    lambda m: m.update(x=1),
    lambda m: m.setdefault("x", 1),
    lambda m: m.pop("x", None),
    lambda m: m.popitem(),
    lambda m: m.clear(),
]
LIST_CHANGES: list[Callable[[Any], object]] = [
    lambda s: s.__setitem__(0, "x"),
    lambda s: s.__setitem__(slice(0, 0), ["x"]),
    lambda s: s.__delitem__(0),
    lambda s: s.append("x"),
    lambda s: s.extend(["x"]),
    lambda s: s.insert(0, "x"),
    lambda s: s.pop(),
    lambda s: s.remove("a"),
    lambda s: s.clear(),
    lambda s: s.sort(),
    lambda s: s.reverse(),
    lambda s: s.__iadd__(["x"]),
    lambda s: s.__imul__(2),
]


def test_every_nested_level_of_a_tickets_attributes_refuses_change() -> None:
    t = _ticket()
    before = json.dumps(ticket_to_dict(t), sort_keys=True)
    nested = _containers(t.attributes) + _containers(t.customer.attributes)
    assert len(nested) == 9
    for node in nested:
        changes = MAPPING_CHANGES if isinstance(node, Mapping) else LIST_CHANGES
        for change in changes:
            with pytest.raises(TypeError, match="is read-only"):
                change(node)
    assert json.dumps(ticket_to_dict(t), sort_keys=True) == before
    assert t.attributes == ORDER


def test_the_callers_data_is_copied_not_kept() -> None:
    data = {"order": {"items": ["a"]}}
    t = _ticket(data)
    data["order"]["items"].append("b")
    assert t.attributes["order"]["items"] == ["a"]


def test_a_policy_cannot_change_the_ticket_through_its_context() -> None:
    t = _ticket()
    fields = PolicyContext(t, T0).fields()
    with pytest.raises(TypeError, match="FrozenDict is read-only"):
        fields["attributes"]["order"]["value"] = 0
    with pytest.raises(TypeError, match="FrozenList is read-only"):
        fields["attributes"]["order"]["items"].append("x")
    with pytest.raises(TypeError, match="FrozenDict is read-only"):
        fields["customer"]["attributes"]["address"]["city"] = "Jakarta"
    assert t.attributes == ORDER
    assert t.customer.attributes == {"address": {"city": "Bandung"}}


def test_frozen_attributes_equal_json_pickle_and_copy_as_plain_data() -> None:
    t = _ticket()
    assert t.attributes == ORDER
    assert dict(ORDER) == dict(t.attributes)
    assert t.attributes["order"]["items"] == ["a", {"sku": "x", "tags": ["gift"]}]
    assert t.attributes["order"]["items"] != ("a", {"sku": "x", "tags": ["gift"]})
    assert json.loads(json.dumps(dict(t.attributes))) == ORDER
    # The wire form round-trips, and what comes back is read-only again.
    wire = json.loads(json.dumps(ticket_to_dict(t)))
    assert wire["attributes"] == ORDER
    back = ticket_from_dict(wire)
    assert back.attributes == t.attributes
    assert _read_only(back.attributes["order"]["items"])
    for copied in (pickle.loads(pickle.dumps(t)), copy.deepcopy(t), copy.copy(t)):
        assert copied == t
        assert copied.attributes == ORDER
        items = copied.attributes["order"]["items"]
        assert isinstance(items, list)
        assert _read_only(items)
        assert _read_only(items[1])


def test_rules_read_nested_frozen_attributes() -> None:
    rs = RuleSet.from_dicts(
        [
            {"name": "has-a", "when": {"field": "attributes.order.items", "contains": "a"}},
            {"name": "big", "when": {"field": "attributes.order.value", "gt": 5_000_000}},
            {
                "name": "city",
                "when": {"field": "customer.attributes.address.city", "eq": "Bandung"},
            },
            {"name": "gift", "when": {"field": "attributes.order.meta", "exists": True}},
            {"name": "pair", "when": {"field": "attributes.flags", "contains": 3}},
        ],
        mode="all",
    )
    decision = rs.evaluate(ticket_context(_ticket(), T0))
    assert decision.matched == ("has-a", "big", "city", "gift")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=12,
)


@given(st.dictionaries(st.text(max_size=4), json_values, max_size=4))
def test_attributes_are_the_given_data_frozen_at_every_level(attributes: dict[str, Any]) -> None:
    t = _ticket(attributes)
    assert t.attributes == attributes
    assert json.dumps(dict(t.attributes), sort_keys=True) == json.dumps(attributes, sort_keys=True)
    assert pickle.loads(pickle.dumps(t.attributes)) == attributes
    for node in [t.attributes, *_containers(t.attributes)]:
        assert _read_only(node)


def test_a_frozen_list_cannot_be_refilled_by_calling_its_constructor_again() -> None:
    from csflow._frozen import FrozenList

    items: Sequence[int] = FrozenList([1, 2])
    items.__init__([3])  # type: ignore[misc]
    assert items == [1, 2]
    more = items + [3]  # noqa: RUF005 (list.__add__ itself)
    assert more == [1, 2, 3]
    assert type(more) is list
    assert items.copy() == [1, 2]
    assert type(items.copy()) is list
