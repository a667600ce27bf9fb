"""Private helper: how an error message shows a value it names.

Messages name bad values, but a value from a document or a tampered snapshot may be huge,
nest 10,000 levels deep, or share its parts (a YAML file of 500 bytes whose aliases nest
eight levels deep reads as a list whose builtin repr is 2 GB): the builtin repr of that is
long, raises RecursionError, or never ends.  So a container is first walked within a budget of
parts (a shared part counts each time it appears) and of characters (its strings' and
numbers'; one string of 500 KB that 2,000 aliases share would make a repr of 1 GB); past
either it is shown abbreviated, and its builtin repr is never built.  (A string alone is
shown by the ends of its repr, about as long as the string.)

A configuration document's text is checked here too (:func:`check_document`): a string or key
holding a lone surrogate could not be written as UTF-8 where it ends up (events, snapshots,
reports), and :func:`path_key` keeps a path naming a document's key bounded and printable.
"""

from __future__ import annotations

import difflib
import reprlib
from collections.abc import Iterable, Mapping
from typing import Any, Final

from csflow.errors import ConfigError

__all__ = ["check_document", "check_text", "did_you_mean", "parts_within", "path_key", "show"]

_REPR = reprlib.Repr()
_REPR.maxlevel = 3
_SHOW_LIMIT: Final = 400
#: The most parts (containers, keys and items, a shared part counted each time it appears)
#: of a value whose builtin repr :func:`show` builds.
_PARTS: Final = 2_000
#: The most characters of strings, bytes and int digits (a shared one counted each time it
#: appears) in a value whose builtin repr :func:`show` builds.
_CHARS: Final = 100_000
_CONTAINERS: Final = (list, tuple, set, frozenset)
_TEXTS: Final = (str, bytes, bytearray)
#: The longest word :func:`did_you_mean` looks for among the names it is given (a typo of a
#: name is about as long as the name; a long text cannot be one, and comparing it would cost
#: time in proportion to its length times each name's).
_HINT_CHARS: Final = 100
#: The most names :func:`did_you_mean` compares with (the closest of more is not a hint).
_HINT_NAMES: Final = 10_000


def parts_within(value: object, budget: int) -> int | None:
    """How many parts *value* has, counting shared parts each time, or ``None`` past *budget*
    (known after at most *budget* steps, however large or deep *value* is)."""
    stack = [value]
    n = 0
    while stack:
        v = stack.pop()
        n += 1
        if n > budget:
            return None
        if isinstance(v, Mapping):
            if len(v) > budget:
                return None
            stack.extend(v.keys())
            stack.extend(v.values())
        elif isinstance(v, _CONTAINERS):
            if len(v) > budget:
                return None
            stack.extend(v)
    return n


def _small(value: object) -> str | None:
    """``None`` when the builtin repr of *value* is bounded by the budgets, else what is
    past them (``"parts"`` or ``"characters"``): known after at most :data:`_PARTS` steps."""
    stack = [value]
    n = chars = 0
    while stack:
        v = stack.pop()
        n += 1
        if n > _PARTS:
            return "parts"
        if isinstance(v, _TEXTS):
            chars += len(v)
        elif isinstance(v, int):
            chars += v.bit_length() // 3  # about a digit for every 3.3 bits
        elif isinstance(v, Mapping):
            if len(v) > _PARTS:
                return "parts"
            stack.extend(v.keys())
            stack.extend(v.values())
        elif isinstance(v, _CONTAINERS):
            if len(v) > _PARTS:
                return "parts"
            stack.extend(v)
        if chars > _CHARS:
            return "characters"
    return None


def show(value: object) -> str:
    """``repr(value)`` for a message: the builtin repr when it is short, else abbreviated."""
    try:
        if isinstance(value, (Mapping, *_CONTAINERS)):
            past = _small(value)
            if past is not None:
                text = _REPR.repr(value)  # at most a few items a level, three levels deep
                if len(text) > _SHOW_LIMIT:
                    text = f"{text[: _SHOW_LIMIT - 60]} ..."
                limit = _PARTS if past == "parts" else _CHARS
                return f"{text} (a {type(value).__name__} of more than {limit:,} {past})"
        try:
            text = repr(value)
        except RecursionError:
            return _REPR.repr(value)  # abbreviates below a few levels
    except Exception:  # a hostile or broken __repr__, or an int past str()'s digit limit
        if isinstance(value, int):
            digits = int(value.bit_length() * 0.30103) + 1  # log10(2): within one digit
            return f"<{type(value).__name__} of about {digits:,} digits>"
        return f"<{type(value).__name__}>"
    if len(text) <= _SHOW_LIMIT:
        return text
    return f"{text[: _SHOW_LIMIT - 60]} ... {text[-40:]} ({len(text):,} characters)"


def did_you_mean(word: object, names: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` for the one of *names* closest to *word*, or ``""``.

    A message's hint for a misspelt key or name (``unknown key 'timezon'; expected one of
    [...]; did you mean 'timezone'?``).  Nothing when *word* is not a string, is longer than
    100 characters, or no name is close (``difflib``'s ratio of 0.6); names longer than 200
    characters are passed over, and nothing is hinted among more than 10,000 names: the hint
    stays cheap whatever a document holds.
    """
    if type(word) is not str or len(word) > _HINT_CHARS:
        return ""
    choices: list[str] = []
    for name in names:
        if len(choices) == _HINT_NAMES:
            return ""
        if type(name) is str and len(name) <= 2 * _HINT_CHARS:
            choices.append(name)
    close = difflib.get_close_matches(word, sorted(choices), n=1)
    return f"; did you mean {show(close[0])}?" if close else ""


def path_key(base: str, key: object) -> str:
    """*base* joined with the mapping key *key*, for an error's path: ``base.key`` when *key*
    is a short printable name, else ``base[<key shown>]`` (a document's key may be a megabyte
    long, hold control characters or a lone surrogate; the path stays bounded and printable,
    and writes as UTF-8)."""
    if isinstance(key, int) and not isinstance(key, bool):
        return f"{base}[{key}]"
    if (
        type(key) is str
        and 0 < len(key) <= _PATH_KEY_CHARS
        and key.isprintable()
        and (key.isascii() or _encodable(key))
    ):
        return f"{base}.{key}" if base else key
    return f"{base}[{show(key)}]"


#: The longest key :func:`path_key` writes as it is.
_PATH_KEY_CHARS: Final = 64


def _encodable(text: str) -> bool:
    # Imported here: csflow._plain shows values with this module's show().
    from csflow._plain import encodable

    return encodable(text)


def check_text(value: object, path: str) -> None:
    """Refuse a string *value* that cannot be written as UTF-8 (it holds a lone surrogate,
    U+D800-U+DFFF): text a configuration gives reaches events, snapshots and reports.  ASCII
    text is passed at once; anything but a string is left to its own check.

    Raises:
        ConfigError: *value* holds a lone surrogate, at *path*, shown escaped.
    """
    if isinstance(value, str) and not value.isascii() and not _encodable(value):
        from csflow._plain import ENCODABLE

        raise ConfigError(f"expected {ENCODABLE}, got {show(value)}", path)


#: The containers :func:`check_document` looks into.
_DOC_CONTAINERS: Final = (list, tuple, set, frozenset)
_WALKED: Final = (Mapping, *_DOC_CONTAINERS)


def check_document(data: object, path: str = "") -> None:
    """Refuse a configuration document holding, at any depth, a string or a mapping key that
    cannot be written as UTF-8 (:func:`check_text`), naming its path (``queues[2].name``).

    The walk needs no recursion (however deep the document nests), looks into a container
    shared by several parts (a YAML alias) once, and spells out a path only for an error, so
    it costs a look at each string (ASCII at once) of the document as parsed.

    Raises:
        ConfigError: The first string or key found that holds a lone surrogate; a bad key is
            named at its mapping's path.
    """
    from csflow._plain import ENCODABLE, encodable

    Link = tuple[Any, object] | None

    def where(link: Link) -> str:
        keys: list[object] = []
        while link is not None:
            link, key = link
            keys.append(key)
        parts = [path]
        for key in reversed(keys):
            part = path_key("", key)
            parts.append(part if part.startswith("[") or not parts[-1] else f".{part}")
        return "".join(parts)

    def bad(text: object) -> bool:
        return isinstance(text, str) and not text.isascii() and not encodable(text)

    if bad(data):
        raise ConfigError(f"expected {ENCODABLE}, got {show(data)}", path)
    # Only containers are pushed (a string is looked at where it is found), each once.
    seen: set[int] = set()
    stack: list[tuple[object, Link]] = [(data, None)] if isinstance(data, _WALKED) else []
    while stack:
        node, link = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, Mapping):
            for k, v in node.items():
                if bad(k):
                    raise ConfigError(f"expected a key of {ENCODABLE}, got {show(k)}", where(link))
                if isinstance(v, str):
                    if bad(v):
                        raise ConfigError(f"expected {ENCODABLE}, got {show(v)}", where((link, k)))
                elif isinstance(v, _WALKED):
                    stack.append((v, (link, k)))
        else:
            assert isinstance(node, _DOC_CONTAINERS)
            indexed = not isinstance(node, set | frozenset)
            for i, v in enumerate(node):
                if isinstance(v, str):
                    if bad(v):
                        raise ConfigError(
                            f"expected {ENCODABLE}, got {show(v)}",
                            where((link, i)) if indexed else where(link),
                        )
                elif isinstance(v, _WALKED):
                    stack.append((v, (link, i) if indexed else link))
