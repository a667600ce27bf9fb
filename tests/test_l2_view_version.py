"""A view row's ``version`` written with a zero fraction (``1.0``) reads as the int, as its
fields' ints do (and as an event's or a command's version)."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime

import pytest

from csflow import Customer, Desk, DeskConfig, Ticket, Tier
from csflow.desk.views import view_from_dict
from csflow.errors import ConfigError
from csflow.lowlevel import view_to_dict
from desks import office_desk_doc

T0 = datetime(2026, 3, 16, 2, 0, tzinfo=UTC)


def test_a_view_version_written_as_a_float_reads_as_the_int() -> None:
    desk = Desk(DeskConfig.from_dict(office_desk_doc()))
    desk.submit(Ticket("T-1", Customer("ayu", Tier("gold", 3)), "chat", T0), at=T0)
    row = json.loads(json.dumps(view_to_dict(desk.ticket("T-1"))))
    assert view_from_dict({**row, "version": 1.0}) == desk.ticket("T-1")
    for bad in (0.0, 1.5, True, math.nan, math.inf):
        with pytest.raises(ConfigError) as caught:
            view_from_dict({**row, "version": bad})
        assert caught.value.path == "view.version"
    with pytest.raises(ConfigError, match="view format version 2 is newer") as caught:
        view_from_dict({**row, "version": 2.0})
    assert caught.value.path == "view.version"
