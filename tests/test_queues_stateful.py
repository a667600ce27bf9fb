"""A stateful test of TicketQueue against a plain sorted-list model."""

from __future__ import annotations

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from csflow.errors import UnknownTicketError
from csflow.queues import DuplicateTicketError, Signature, TicketQueue

CHANNELS = ["chat", "email", "phone"]
SIGS = [Signature(c, lang) for c in CHANNELS for lang in ("id", "en")]


class Entry:
    """The model's view of one waiting ticket."""

    def __init__(self, tid: str, band: int, due: int, seq: int, sig: Signature) -> None:
        self.tid = tid
        self.band = band
        self.due = due
        self.seq = seq  # the model's own arrival counter: FIFO among equal (band, due)
        self.sig = sig
        self.queued_at = seq
        self.callback = False

    def order(self) -> tuple[int, int, int]:
        return (self.band, self.due, self.seq)


class QueueMachine(RuleBasedStateMachine):
    """Every operation on the queue is mirrored on a list; their orders must agree."""

    def __init__(self) -> None:
        super().__init__()
        self.q = TicketQueue("m")
        self.model: dict[str, Entry] = {}
        self.n = 0

    def ordered(self) -> list[Entry]:
        return sorted(self.model.values(), key=Entry.order)

    @rule(band=st.integers(0, 2), due=st.integers(0, 20), sig=st.sampled_from(SIGS))
    def push(self, band: int, due: int, sig: Signature) -> None:
        tid = f"t{self.n}"
        self.n += 1
        self.q.push_key(tid, band=band, due=due, at=self.n, signature=sig)
        self.model[tid] = Entry(tid, band, due, self.n, sig)

    @precondition(lambda self: self.model)
    @rule(data=st.data())
    def push_duplicate_changes_nothing(self, data: st.DataObject) -> None:
        tid = data.draw(st.sampled_from(sorted(self.model)))
        before = [(e.ticket_id, e.key) for e in self.q]
        with pytest.raises(DuplicateTicketError):
            self.q.push_key(tid, band=0, due=0, at=0, signature=SIGS[0])
        assert [(e.ticket_id, e.key) for e in self.q] == before

    @rule(sigs=st.none() | st.lists(st.sampled_from(SIGS), unique=True))
    def pop(self, sigs: list[Signature] | None) -> None:
        got = self.q.pop(sigs)
        eligible = [e for e in self.ordered() if sigs is None or e.sig in sigs]
        if not eligible:
            assert got is None
            return
        assert got is not None
        assert got.ticket_id == eligible[0].tid
        assert got.callback == eligible[0].callback
        del self.model[got.ticket_id]

    @rule(sigs=st.none() | st.lists(st.sampled_from(SIGS), unique=True))
    def peek(self, sigs: list[Signature] | None) -> None:
        got = self.q.peek(sigs)
        eligible = [e for e in self.ordered() if sigs is None or e.sig in sigs]
        assert (got.ticket_id if got else None) == (eligible[0].tid if eligible else None)

    @precondition(lambda self: self.model)
    @rule(data=st.data())
    def remove(self, data: st.DataObject) -> None:
        tid = data.draw(st.sampled_from(sorted(self.model)))
        assert self.q.remove(tid).ticket_id == tid
        del self.model[tid]

    @rule(tid=st.sampled_from(["nope", "t-1"]))
    def remove_unknown(self, tid: str) -> None:
        with pytest.raises(UnknownTicketError):
            self.q.remove(tid)

    @precondition(lambda self: self.model)
    @rule(data=st.data(), band=st.integers(0, 2), due=st.integers(0, 20))
    def rekey(self, data: st.DataObject, band: int, due: int) -> None:
        tid = data.draw(st.sampled_from(sorted(self.model)))
        self.q.rekey(tid, band=band, due=due)
        self.model[tid].band = band
        self.model[tid].due = due

    @precondition(lambda self: self.model)
    @rule(data=st.data(), sig=st.sampled_from(SIGS))
    def move(self, data: st.DataObject, sig: Signature) -> None:
        tid = data.draw(st.sampled_from(sorted(self.model)))
        self.q.move(tid, sig)
        self.model[tid].sig = sig

    @precondition(lambda self: self.model)
    @rule(data=st.data())
    def callback(self, data: st.DataObject) -> None:
        tid = data.draw(st.sampled_from(sorted(self.model)))
        position = self.q.position(tid)
        self.q.request_callback(tid)
        entry = self.model[tid]
        entry.callback = True
        entry.sig = entry.sig.on_channel("phone")
        assert self.q.position(tid) == position

    @invariant()
    def same_order(self) -> None:
        got = [(e.ticket_id, e.signature, e.callback, e.band, e.virtual_due_us) for e in self.q]
        want = [(e.tid, e.sig, e.callback, e.band, e.due) for e in self.ordered()]
        assert got == want
        assert len(self.q) == len(self.model)

    @invariant()
    def positions_and_group_sizes(self) -> None:
        for i, e in enumerate(self.ordered()):
            assert self.q.position(e.tid) == i
        for sig in SIGS:
            assert self.q.group_size(sig) == sum(1 for e in self.model.values() if e.sig == sig)

    @invariant()
    def memory_bounded(self) -> None:
        items = sum(len(g.heap) for g in self.q._groups.values())
        assert items <= 2 * len(self.q) + 32 * max(1, len(self.q._groups))


QueueMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=40, deadline=None)
test_queue_machine = QueueMachine.TestCase
