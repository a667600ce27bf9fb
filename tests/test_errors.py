"""csflow.errors: the hierarchy, the builtins callers catch, ConfigError's path, pickling."""

from __future__ import annotations

import copy
import pickle
from typing import cast

import pytest
from hypothesis import given
from hypothesis import strategies as st

import csflow.errors
from csflow._text import show
from csflow.errors import (
    CalendarError,
    CapacityExceededError,
    ConfigError,
    CsflowError,
    DuplicateAgentError,
    DuplicateTicketError,
    GoodwillLimitError,
    InvalidTransitionError,
    InvariantError,
    TransferLimitError,
    UndeclaredNameError,
    UnknownAgentError,
    UnknownTicketError,
)
from csflow.model import Tier

# Each error and the one builtin exception a caller would naturally catch it as.
BUILTIN_OF: dict[type[CsflowError], type[Exception]] = {
    CalendarError: ValueError,
    ConfigError: ValueError,
    InvalidTransitionError: ValueError,
    UnknownTicketError: KeyError,
    UnknownAgentError: KeyError,
    DuplicateTicketError: ValueError,
    DuplicateAgentError: ValueError,
    CapacityExceededError: ValueError,
    TransferLimitError: ValueError,
    GoodwillLimitError: ValueError,
    InvariantError: AssertionError,
    UndeclaredNameError: ValueError,
}
BUILTINS = (ValueError, KeyError, TypeError, LookupError, AttributeError, AssertionError)

messages = st.text(max_size=30)
paths = st.text(max_size=20)


def test_every_exported_error_is_a_csflow_error() -> None:
    exported = {getattr(csflow.errors, name) for name in csflow.errors.__all__}
    assert exported == {CsflowError, *BUILTIN_OF}
    for cls in exported:
        assert issubclass(cls, CsflowError)
        assert issubclass(cls, Exception)


def test_the_base_class_is_no_builtin_category() -> None:
    assert CsflowError.__bases__ == (Exception,)
    for builtin in BUILTINS:
        assert not issubclass(CsflowError, builtin)


@pytest.mark.parametrize(("cls", "builtin"), list(BUILTIN_OF.items()))
def test_each_error_inherits_exactly_its_builtin(
    cls: type[CsflowError], builtin: type[Exception]
) -> None:
    assert issubclass(cls, builtin)
    for other in (ValueError, KeyError, TypeError, AssertionError):
        assert issubclass(cls, other) is issubclass(builtin, other)


@pytest.mark.parametrize(("cls", "builtin"), list(BUILTIN_OF.items()))
def test_the_builtin_a_caller_catches_catches_each_error(
    cls: type[CsflowError], builtin: type[Exception]
) -> None:
    with pytest.raises(builtin) as caught_builtin:
        raise cls("boom")
    assert type(caught_builtin.value) is cls
    with pytest.raises(CsflowError):
        raise cls("boom")
    # And an ordinary except clause for the builtin sees the error.
    try:
        raise cls("boom")
    except builtin as e:
        seen: BaseException = e
    assert isinstance(seen, cls)


def test_model_errors_are_config_errors_without_a_path() -> None:
    with pytest.raises(ValueError, match=r"got -1$") as exc:
        Tier("gold", -1)
    assert type(exc.value) is ConfigError
    assert exc.value.path == ""
    assert exc.value.detail == str(exc.value)


@given(messages, paths)
def test_config_error_keeps_its_path_and_detail(message: str, path: str) -> None:
    e = ConfigError(message, path)
    assert e.path == path
    assert e.detail == message
    assert str(e) == (f"{path}: {message}" if path else message)
    assert e.args == (str(e),)


def test_config_error_examples() -> None:
    e = ConfigError("must be an int, got 'x'", "rules[2].when.all[0]")
    assert str(e) == "rules[2].when.all[0]: must be an int, got 'x'"
    assert (e.path, e.detail) == ("rules[2].when.all[0]", "must be an int, got 'x'")
    whole = ConfigError("desk config must be a mapping, got 3")
    assert (whole.path, whole.detail, str(whole)) == (
        "",
        "desk config must be a mapping, got 3",
        "desk config must be a mapping, got 3",
    )


@given(messages, paths, st.integers(0, pickle.HIGHEST_PROTOCOL))
def test_config_error_pickles_with_its_message_and_path(
    message: str, path: str, protocol: int
) -> None:
    e = ConfigError(message, path)
    back = pickle.loads(pickle.dumps(e, protocol=protocol))
    assert type(back) is ConfigError
    assert (back.path, back.detail, str(back), back.args) == (path, message, str(e), e.args)
    # Pickling twice does not prefix the path twice.
    again = pickle.loads(pickle.dumps(back, protocol=protocol))
    assert (again.path, again.detail, str(again)) == (path, message, str(e))


def test_config_error_copies_keep_the_path() -> None:
    e = ConfigError("bad rank, got -1", "tiers[0].rank")
    for dup in (copy.copy(e), copy.deepcopy(e)):
        assert type(dup) is ConfigError
        assert (dup.path, dup.detail, str(dup)) == (e.path, e.detail, str(e))


def test_a_config_error_subclass_pickles_as_itself() -> None:
    class RuleError(ConfigError):
        """A subclass a host might define for its own rule errors."""

    # A local class cannot be pickled by reference; the reduction itself must name it.
    e = RuleError("unknown field 'tierr'", "rules[0].when")
    cls, args = e.__reduce__()
    assert cls is RuleError
    rebuilt = cls(*args)
    assert (type(rebuilt), rebuilt.path, str(rebuilt)) == (RuleError, e.path, str(e))


@pytest.mark.parametrize("cls", [UnknownTicketError, UnknownAgentError])
@given(message=messages)
def test_unknown_id_errors_read_as_their_message(
    cls: type[UnknownTicketError | UnknownAgentError], message: str
) -> None:
    e = cls(message)
    assert str(e) == message
    assert e.args == (message,)
    assert str(KeyError(message)) == repr(message)  # what the override avoids
    back = pickle.loads(pickle.dumps(e))
    assert type(back) is cls
    assert str(back) == message


def test_unknown_id_error_examples() -> None:
    e = UnknownTicketError("ticket 't-9' is not known")
    assert str(e) == "ticket 't-9' is not known"
    assert str(UnknownAgentError("agent 'ayu' is not known")) == "agent 'ayu' is not known"
    assert str(UnknownTicketError()) == ""
    assert str(UnknownAgentError()) == ""
    # A non-string argument reads as its str(), not its repr().
    assert str(UnknownTicketError(42)) == "42"
    with pytest.raises(KeyError, match=r"^ticket 't-9' is not known$"):
        raise e


@pytest.mark.parametrize("cls", [CalendarError, InvalidTransitionError])
@given(message=messages)
def test_value_errors_read_and_pickle_as_their_message(
    cls: type[CalendarError | InvalidTransitionError], message: str
) -> None:
    e = cls(message)
    assert str(e) == message
    back = pickle.loads(pickle.dumps(e))
    assert type(back) is cls
    assert (str(back), back.args) == (message, (message,))


class _BrokenRepr:
    def __repr__(self) -> str:
        raise RuntimeError("a hostile __repr__")


def test_messages_show_values_short_and_bounded() -> None:
    # What every message quotes a bad value with: the builtin repr when it is short ...
    for value in ("gold", 42, None, [1, "a"], {"b": 1, "a": 2}):
        assert show(value) == repr(value)
    # ... bounded when it is long, with the length it had ...
    huge = "x" * 1_000_000
    shown = show(huge)
    assert len(shown) < 500
    assert shown.startswith("'xxx")
    assert shown.endswith("(1,000,002 characters)")
    # ... abbreviated when nested past the recursion limit ...
    deep: list[object] = []
    inner = deep
    for _ in range(10_000):
        inner.append([])
        inner = cast("list[object]", inner[0])
    assert show(deep).startswith("[[[")
    assert "..." in show(deep)
    assert len(show(deep)) < 100
    # ... and a value whose repr raises is named by its type.
    assert show(_BrokenRepr()) == "<_BrokenRepr>"
