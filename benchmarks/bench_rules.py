"""Rule evaluation: ``tier == "gold" and channel in ["chat", "whatsapp"] and wait_s > 60``.

A pool of 1,000 distinct ticket contexts (built by :func:`csflow.rules.ticket_context` from
real tickets) is cycled 1,000 times: 1,000,000 evaluations per engine, timed per pass over the
pool and reported per context.  Peers: ``rule-engine``, ``business-rules`` and a hand-written
lambda over the same dicts.  The peers are slower per context, so they run fewer passes (their
per-context figure is the same median, over fewer samples).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from benchmarks._common import Row, median_per_call, print_table, section
from csflow.model import Customer, Ticket, Tier
from csflow.rules import RuleSet, ticket_context

POOL = 1000
PASSES = 1000  # 1,000 x 1,000 = 1,000,000 contexts for csflow and the lambda
EXPRESSION = 'tier == "gold" and channel in ["chat", "whatsapp"] and wait_s > 60'


def _contexts() -> list[dict[str, Any]]:
    from datetime import datetime, timezone

    rng = random.Random(20260302)
    wib = timezone(timedelta(hours=7))
    t0 = datetime(2026, 3, 2, 9, 0, tzinfo=wib)
    tiers = [Tier("platinum", 3), Tier("gold", 2), Tier("silver", 1), Tier("regular", 0)]
    out = []
    for i in range(POOL):
        customer = Customer(f"c-{i}", rng.choice(tiers), language="id")
        ticket = Ticket(
            f"t-{i}",
            customer,
            rng.choice(["chat", "whatsapp", "email", "phone"]),
            t0,
            attributes={"order_value": rng.randrange(10_000, 10_000_000)},
        )
        out.append(ticket_context(ticket, t0 + timedelta(seconds=rng.uniform(0, 180))))
    return out


def _csflow() -> Callable[[dict[str, Any]], Any]:
    rs = RuleSet.from_dicts(
        [
            {
                "name": "gold live waited",
                "when": {
                    "all": [
                        {"field": "tier", "eq": "gold"},
                        {"field": "channel", "in": ["chat", "whatsapp"]},
                        {"field": "wait_s", "gt": 60},
                    ]
                },
                "then": {"priority": "high"},
            }
        ]
    )
    # Timed as the bare bound call a desk makes; the answer is checked separately in main().
    evaluate: Callable[[dict[str, Any]], Any] = rs.evaluate
    return evaluate


def _rule_engine() -> Callable[[dict[str, Any]], bool] | str:
    try:
        import rule_engine
    except ImportError as exc:  # pragma: no cover - the bench extra is missing
        return f"not installed ({exc})"
    rule = rule_engine.Rule(EXPRESSION)
    matches = rule.matches
    return lambda ctx: bool(matches(ctx))


def _business_rules() -> Callable[[dict[str, Any]], bool] | str:
    try:
        from business_rules.engine import check_conditions_recursively
        from business_rules.variables import (
            BaseVariables,
            numeric_rule_variable,
            string_rule_variable,
        )
    except ImportError as exc:  # pragma: no cover - the bench extra is missing
        return f"not installed ({exc})"

    class TicketVariables(BaseVariables):  # type: ignore[misc]
        def __init__(self, ctx: dict[str, Any]) -> None:
            self.ctx = ctx

        @string_rule_variable  # type: ignore[untyped-decorator]
        def tier(self) -> str:
            return str(self.ctx["tier"])

        @string_rule_variable  # type: ignore[untyped-decorator]
        def channel(self) -> str:
            return str(self.ctx["channel"])

        @numeric_rule_variable  # type: ignore[untyped-decorator]
        def wait_s(self) -> float:
            return float(self.ctx["wait_s"])

    conditions = {
        "all": [
            {"name": "tier", "operator": "equal_to", "value": "gold"},
            {
                "any": [
                    {"name": "channel", "operator": "equal_to", "value": "chat"},
                    {"name": "channel", "operator": "equal_to", "value": "whatsapp"},
                ]
            },
            {"name": "wait_s", "operator": "greater_than", "value": 60},
        ]
    }
    return lambda ctx: bool(check_conditions_recursively(conditions, TicketVariables(ctx)))


def _lambda() -> Callable[[dict[str, Any]], bool]:
    return lambda c: (
        c["tier"] == "gold" and c["channel"] in ("chat", "whatsapp") and c["wait_s"] > 60
    )


def _per_context(
    fn: Callable[[dict[str, Any]], bool], pool: list[dict[str, Any]], passes: int
) -> float:
    def one_pass() -> None:
        for ctx in pool:
            fn(ctx)

    # median_per_call over `passes` passes split into 5 batches; per context = per pass / POOL.
    return median_per_call(one_pass, number=max(1, passes // 5), repeat=5) / len(pool)


def main() -> None:
    """Print µs per context for csflow and its peers, with ratios against csflow."""
    section(f"rules: {EXPRESSION} (1,000 contexts cycled)")
    pool = _contexts()
    engines: list[tuple[str, Callable[[dict[str, Any]], Any] | str, int, str]] = [
        ("csflow RuleSet.evaluate", _csflow(), PASSES, "1,000,000 contexts"),
        ("hand-written lambda", _lambda(), PASSES, "1,000,000 contexts"),
        ("rule-engine", _rule_engine(), 20, "20,000 contexts"),
        ("business-rules", _business_rules(), 50, "50,000 contexts"),
    ]
    expected = [_lambda()(ctx) for ctx in pool]
    rows: list[Row] = []
    for label, fn, passes, note in engines:
        if isinstance(fn, str):
            rows.append((label, None, fn))
            continue
        # Every engine must give the same answers before its speed means anything.
        answers = [fn(ctx) for ctx in pool]
        if label.startswith("csflow"):
            answers = [decision.rule is not None for decision in answers]
        if answers != expected:
            rows.append((label, None, "disagrees with the lambda; not timed"))
            continue
        rows.append((label, _per_context(fn, pool, passes), note))
    print_table(rows, unit="per context")
    print(f"matching contexts in the pool: {sum(expected)} of {len(pool)}; target ≤ 0.5 µs")


if __name__ == "__main__":
    main()
