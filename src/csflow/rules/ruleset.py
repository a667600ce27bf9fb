"""Rule sets: rules validated, compiled and evaluated into decisions.

Theory of operation
-------------------
A desk keeps its policies as plain data (a list of dicts from the host's database or YAML)::

    {"name": "platinum chat",
     "when": {"all": [{"field": "customer.tier", "eq": "platinum"},
                      {"field": "channel", "in": ["chat", "whatsapp"]},
                      {"not": {"field": "attributes.order_value", "lt": 100000}}]},
     "then": {"priority": "urgent", "sla_policy": "platinum", "queue": "vip", "tags": ["vip"]}}

:meth:`RuleSet.from_dicts` does all the work up front, once: it validates and parses the rules
(:mod:`csflow.rules.loader`), renders each condition as text for reasons
(:mod:`csflow.rules.rendering`) and compiles them (:mod:`csflow.rules.compiler`): a safe
closure per rule, and one generated function for the whole set that takes the fast path for
plain-``dict`` contexts.  That generated function *is* :meth:`RuleSet.evaluate` (an instance
attribute), so an evaluation costs one Python call.

Evaluation produces a bit mask of the rules whose condition held; the :class:`Decision` for a
mask (matched names, merged actions, reason sentence) depends on nothing else, so it is built
once and cached: at most :data:`~csflow.rules.syntax.MAX_CACHED_DECISIONS` masks per rule
set, and at most a million references (matched names, action entries, sources) in all, so
that contexts the public controls (a ticket's attributes pick the rules that match) cannot
grow one rule set's cache without bound.  A decision holds its reason as the rule set's
shared parts and its mask; the sentence is built when first read, and past about 2,000
characters it names the first matched rules and counts the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Final

from csflow._frozen import FrozenDict
from csflow.errors import ConfigError
from csflow.rules._abbrev import short_repr
from csflow.rules.compiler import compile_condition, generate_evaluator
from csflow.rules.loader import Loader
from csflow.rules.regex import PatternCache
from csflow.rules.rendering import describe
from csflow.rules.syntax import MAX_CACHED_DECISIONS, Decision, LazyText, Mode, Rule

__all__ = ["RuleSet"]


_REASON_CHARS: Final = 2000
"""About the longest reason sentence: past it, a reason names the first matched rules and
counts the rest (a rule's own text is cut at 400 characters by ``describe``)."""
_CACHE_ITEMS: Final = 1_000_000
"""Most references (matched names, action entries, sources) the cached decisions of one rule
set hold together; a decision that does not fit is built on every call."""
_SIZED: Final = (tuple, Mapping)


def _dedupe(values: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(dict.fromkeys(values))


def _within(pieces: Iterable[str], budget: int) -> list[str]:
    """The leading *pieces* (at least one) whose total length, a separator of two characters
    between each, stays within *budget*; reads no further."""
    out: list[str] = []
    used = -2
    for piece in pieces:
        used += len(piece) + 2
        if out and used > budget:
            break
        out.append(piece)
    return out


class _Reasons:
    """Builds a rule set's reason sentences from the bit mask of the rules that matched.

    A decision holds this (shared by the whole rule set) and its mask, not the text: the text
    is built when it is read, and however many rules matched it stays within about
    :data:`_REASON_CHARS` characters.
    """

    __slots__ = ("mode", "rules", "texts")

    def __init__(self, rules: tuple[Rule, ...], texts: tuple[str, ...], mode: Mode) -> None:
        self.rules = rules
        self.texts = texts
        self.mode = mode

    def _because(self, i: int) -> str:
        rule = self.rules[i]
        if rule.when is None:
            return f"{rule.name!r} always applies"
        return f"{rule.name!r} because {self.texts[i]}"

    def text(self, mask: int) -> str:
        rules = self.rules
        matched = [i for i in range(len(rules)) if mask >> i & 1]
        if not matched:
            return f"no rule matched ({len(rules)} checked)"
        if len(matched) == 1:
            rule = rules[matched[0]]
            if rule.when is None:
                return f"rule {rule.name!r} matched: it always applies"
            return f"rule {rule.name!r} matched because {self.texts[matched[0]]}"
        shown = _within((repr(rules[i].name) for i in matched), _REASON_CHARS // 4)
        head = "rules " + ", ".join(shown)
        if len(shown) < len(matched):
            head += f", … ({len(matched)} in all)"
        order = (
            "the first to set an action decides it"
            if self.mode == "first"
            else "later ones override earlier ones"
        )
        head = f"{head} matched ({order}): "
        clauses = _within((self._because(i) for i in matched), _REASON_CHARS - len(head))
        text = head + "; ".join(clauses)
        if len(clauses) < len(matched):
            text += f"; … and {len(matched) - len(clauses)} more"
        return text


class RuleSet:
    """An ordered, validated, compiled list of rules.  Immutable.

    Build one with :meth:`from_dicts` (or the constructor, which takes the same arguments).

    Args:
        rules: A list of rule mappings (see :mod:`csflow.rules.syntax` for the
            language).
        mode: ``"first"`` or ``"all"``; how matched rules' actions combine (see
            :meth:`evaluate`).
        known_fields: If given, every field path must be one of these (an entry ``"x.*"``
            admits every path under ``x``), e.g. :data:`~csflow.rules.context.STANDARD_FIELDS`.

    Raises:
        ConfigError: Anything malformed, with the path to it; also the ``matches`` condition
            that takes the estimated work of all the set's searches over
            :data:`~csflow.rules.regex.REGEX_TOTAL_BUDGET`; a *mode* that is neither, a
            *known_fields* that is not a collection of strings.
    """

    mode: Mode
    rules: tuple[Rule, ...]
    _index: dict[str, int]
    _texts: tuple[str, ...]
    _safe: tuple[Callable[[Any], bool] | None, ...]
    _cache: dict[int, Decision]
    _cached: list[int]  # the references the cached decisions hold (one cell: mutable)
    _reasons: _Reasons

    def __init__(
        self,
        rules: Sequence[Mapping[str, Any]],
        *,
        mode: Mode = "first",
        known_fields: Iterable[str] | None = None,
    ) -> None:
        if mode not in ("first", "all"):
            raise ConfigError(f"mode must be 'first' or 'all', got {short_repr(mode)}", "mode")
        known: frozenset[str] | None = None
        if known_fields is not None:
            if isinstance(known_fields, str):
                raise ConfigError(
                    f"known_fields must be a collection of field paths, got {short_repr(known_fields)}"
                )
            try:
                known = frozenset(known_fields)
            except TypeError:
                raise ConfigError(
                    f"known_fields must be a collection of field paths, got {short_repr(known_fields)}"
                ) from None
            for entry in known:
                if not isinstance(entry, str):
                    raise ConfigError(
                        f"known_fields must hold field paths (strings), got {short_repr(entry)} "
                        f"in {short_repr(known_fields)}"
                    )
        # One load: each distinct pattern is parsed and compiled once, for the loader's check
        # and for the compiler's searches alike.
        patterns = PatternCache()
        with patterns.active():
            self._init(Loader(known, patterns).rules(rules), mode)

    def _init(self, rules: tuple[Rule, ...], mode: Mode) -> None:
        set_ = object.__setattr__
        set_(self, "mode", mode)
        set_(self, "rules", rules)
        set_(self, "_index", {rule.name: i for i, rule in enumerate(rules)})
        texts = tuple(describe(rule.when) for rule in rules)
        set_(self, "_texts", texts)
        set_(self, "_reasons", _Reasons(rules, texts, mode))
        set_(self, "_cached", [0])
        safe = tuple(None if rule.when is None else compile_condition(rule.when) for rule in rules)
        set_(self, "_safe", safe)
        cache: dict[int, Decision] = {}
        set_(self, "_cache", cache)

        def mask(ctx: Any) -> int:
            k = 0
            for i, test in enumerate(safe):
                if test is None or test(ctx):
                    k |= 1 << i
            return k

        decide = self._decide
        extra: dict[str, Any] = {"_mask": mask, "_cache": cache, "_decide": decide}
        if len(rules) == 1:
            d0, d1 = decide(0), decide(1)
            only = safe[0]
            extra.update(
                _d0=d0,
                _d1=d1,
                _slow=lambda ctx: d1 if only is None or only(ctx) else d0,
            )
        fast = generate_evaluator([rule.when for rule in rules], extra, safe) if rules else None
        if fast is None:

            def fast(ctx: Any) -> Decision:
                k = mask(ctx)
                found = cache.get(k)
                return decide(k) if found is None else found

        # An instance attribute shadows the documented method below: one call per evaluation
        # instead of two, a measurable share of the per-context budget.
        set_(self, "evaluate", fast)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"RuleSet is immutable; cannot set {name!r}")

    @classmethod
    def from_dicts(
        cls,
        rules: Sequence[Mapping[str, Any]],
        mode: Mode = "first",
        known_fields: Iterable[str] | None = None,
    ) -> RuleSet:
        """Validate and compile rules given as plain data.

        Args:
            rules: A list of rule mappings.
            mode: ``"first"`` or ``"all"`` (see :meth:`evaluate`).
            known_fields: If given, the allowed field paths (``"x.*"`` admits all under ``x``).

        Returns:
            The compiled rule set.

        Raises:
            ConfigError: Anything malformed, with the path to it, e.g.
                ``rules[2].when.all[0]: unknown operator 'inn'``; also patterns whose
                estimated work together exceeds :data:`~csflow.rules.regex.REGEX_TOTAL_BUDGET`.

        Examples:
            >>> rs = RuleSet.from_dicts([{"name": "vip", "when": {"field": "tier", "eq": "gold"},
            ...                           "then": {"queue": "vip"}}])
            >>> rs.evaluate({"tier": "gold"}).actions["queue"]
            'vip'
        """
        return cls(rules, mode=mode, known_fields=known_fields)

    def evaluate(self, context: Any) -> Decision:
        """Decide for one context.

        Every rule's condition is evaluated; ``matched`` lists the rules that held, in order.
        The actions of the matched rules combine per key:

        * ``"first"`` mode: for each key, the first matched rule that sets it wins.  A rule
          therefore overrides the ones after it, and a catch-all at the end supplies defaults.
        * ``"all"`` mode: rules apply in order and a later rule overrides an earlier one per
          key, except that list values extend (the union, de-duplicated, in first-seen order)
          and mapping values merge shallowly (later entries override per entry).  A value of
          another kind replaces whatever was there.

        In both modes a list value is de-duplicated, keeping first-seen order.

        Evaluation never raises: a missing field or a value of the wrong type makes a
        comparison false.

        Args:
            context: A mapping or object; a plain ``dict`` (e.g. from
                :func:`~csflow.rules.context.ticket_context`)
                takes the fast path.

        Returns:
            The decision; while the rule set's cache has room for it, the same
            :class:`Decision` object is returned for every context that matches the same
            rules (an equal one otherwise).
        """
        raise NotImplementedError  # replaced per instance in _init; kept for documentation

    def _decide(self, mask: int) -> Decision:
        rules = self.rules
        matched = [i for i in range(len(rules)) if mask >> i & 1]
        names = tuple(rules[i].name for i in matched)
        # Merged in place (a list value as an ordered set, a mapping as a dict), so a decision
        # that matched many rules costs linear work, not a copy of the union per rule.
        actions: dict[str, Any] = {}
        sources: dict[str, list[str]] = {}
        merging: dict[str, type] = {}  # in "all" mode: the key's value being extended
        first = self.mode == "first"
        for i in matched:
            rule = rules[i]
            for key, value in rule.then.items():
                if first:
                    if key not in actions:
                        actions[key] = _dedupe(value) if isinstance(value, tuple) else value
                        sources[key] = [rule.name]
                    continue
                kind = merging.get(key)
                if isinstance(value, tuple):
                    if kind is tuple:
                        actions[key].update(dict.fromkeys(value))
                        sources[key].append(rule.name)
                        continue
                    actions[key] = dict.fromkeys(value)
                    merging[key] = tuple
                elif isinstance(value, Mapping):
                    if kind is Mapping:
                        actions[key].update(value)
                        sources[key].append(rule.name)
                        continue
                    actions[key] = dict(value)
                    merging[key] = Mapping
                else:
                    actions[key] = value
                    merging.pop(key, None)
                sources[key] = [rule.name]
        for key, kind in merging.items():
            actions[key] = tuple(actions[key]) if kind is tuple else FrozenDict(actions[key])
        decision = Decision(
            rule=names[0] if names else None,
            matched=names,
            actions=FrozenDict(actions),
            sources=FrozenDict((key, tuple(names_)) for key, names_ in sources.items()),
            reason=LazyText(self._reasons.text, mask),
        )
        cache = self._cache
        if len(cache) < MAX_CACHED_DECISIONS:
            # What the decision holds, counted in references: a cache of decisions that each
            # matched hundreds of rules stops growing long before MAX_CACHED_DECISIONS.
            weight = 1 + len(names) + sum(len(v) for v in decision.sources.values())
            weight += sum(len(v) for v in decision.actions.values() if isinstance(v, _SIZED))
            if self._cached[0] + weight <= _CACHE_ITEMS:
                self._cached[0] += weight
                cache[mask] = decision
        return decision

    def rule(self, name: str) -> Rule:
        """The rule called *name*.

        Raises:
            KeyError: No rule has that name.
        """
        return self.rules[self._index[name]]

    def explain(self, name: str) -> str:
        """The readable condition of the rule called *name* (``"always"`` for a catch-all).

        Raises:
            KeyError: No rule has that name.
        """
        return self._texts[self._index[name]]

    @property
    def names(self) -> tuple[str, ...]:
        """The rule names, in order."""
        return tuple(rule.name for rule in self.rules)

    def to_dicts(self) -> list[dict[str, Any]]:
        """The rules as plain, JSON-compatible data that :meth:`from_dicts` accepts.

        ``RuleSet.from_dicts(rs.to_dicts(), rs.mode) == rs`` always holds.
        """
        return [rule.to_dict() for rule in self.rules]

    def __len__(self) -> int:
        return len(self.rules)

    def __iter__(self) -> Iterator[Rule]:
        return iter(self.rules)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RuleSet):
            return NotImplemented
        return self.mode == other.mode and self.rules == other.rules

    def __hash__(self) -> int:
        return hash((self.mode, self.rules))

    def __repr__(self) -> str:
        return f"RuleSet(mode={self.mode!r}, rules={list(self.names)!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        # The generated functions do not pickle; the data they came from does.
        return (_restore, (self.to_dicts(), self.mode))

    def __copy__(self) -> RuleSet:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> RuleSet:
        return self


def _restore(rules: list[dict[str, Any]], mode: Mode) -> RuleSet:
    return RuleSet(rules, mode=mode)
