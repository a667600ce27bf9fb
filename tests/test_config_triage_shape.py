"""``triage`` is a list of rules or a mapping {mode, rules}: anything else is refused as such."""

from __future__ import annotations

import pytest

from csflow.desk import DeskConfig
from csflow.errors import ConfigError


@pytest.mark.parametrize("value", ["abc", 5, None, True])
def test_a_triage_that_is_neither_a_list_nor_a_mapping_says_both_are_valid(value: object) -> None:
    with pytest.raises(ConfigError) as caught:
        DeskConfig.from_dict({"triage": value})
    assert caught.value.path == "triage"
    assert "a list of rules or a mapping {mode, rules}" in str(caught.value)
    assert repr(value) in str(caught.value)


def test_both_shapes_still_read() -> None:
    rule = {"name": "vip", "when": {"field": "tier", "eq": "gold"}, "then": {"priority": "high"}}
    listed = DeskConfig.from_dict({"triage": [rule]})
    mapped = DeskConfig.from_dict({"triage": {"mode": "first", "rules": [rule]}})
    assert listed == mapped
