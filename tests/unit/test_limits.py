"""Limits, negotiation and backpressure at the level where they are pure functions.

The same limits are tested end to end, on the real stack, in tests/integration/test_hardening.py;
here are the edges that are cheaper and clearer without a server: the cost formula, fragment
expansion that must not be exponential, the introspection query's depth, Accept negotiation,
the token bucket and the engine slots.
"""

from __future__ import annotations

import asyncio
import time

import pytest
from graphql import GraphQLSchema, get_introspection_query, parse

from gateway.errors import NotAcceptable, Overloaded, TooManyRequests
from gateway.http.app import GRAPHQL_RESPONSE, JSON, negotiate
from gateway.pipeline.backpressure import EngineSlots, RateLimiter
from gateway.pipeline.limits import Limits, measure


def _measure(schema: GraphQLSchema, query: str, limits: Limits | None = None) -> tuple[int, int, int, float]:
    document = parse(query)
    operation = next(d for d in document.definitions if d.kind == "operation_definition")
    found = measure(schema, document, operation, limits or Limits())  # type: ignore[arg-type]
    return found.depth, found.aliases, found.directives, found.cost


def test_cost_is_object_two_scalar_one_times_one_and_a_half_per_level(
        served_schema: GraphQLSchema) -> None:
    # citizen (object, depth 1): 2; id, familyName (scalars, depth 2): 1.5 each;
    # health (object, depth 2): 3; nhsNumber (depth 3): 2.25
    assert _measure(served_schema, "{ citizen(id: 1) { id familyName health { nhsNumber } } }") == (
        3, 0, 0, 2 + 1.5 + 1.5 + 3 + 2.25)


def test_cost_weights_come_from_the_limits(served_schema: GraphQLSchema) -> None:
    limits = Limits(cost_object=10, cost_scalar=3, cost_depth_factor=2)
    assert _measure(served_schema, "{ citizen(id: 1) { id } }", limits)[3] == 10 + 3 * 2


def test_fragments_count_where_they_are_spread(served_schema: GraphQLSchema) -> None:
    query = """{ a: citizen(id: 1) { ...F }
                 b: citizen(id: 2) { health { ... on Patient { nhsNumber @include(if: true) } } } }
               fragment F on Citizen { id @skip(if: false) health { nhsNumber } }"""
    depth, aliases, directives, cost = _measure(served_schema, query)
    assert (depth, aliases, directives) == (3, 2, 2)
    assert cost == (2 + 1.5 + 3 + 2.25) + (2 + 3 + 2.25)


def test_a_chain_of_fragments_spread_twice_is_measured_without_expanding_it(
        served_schema: GraphQLSchema) -> None:
    """F0 spreads F1 twice, F1 spreads F2 twice ... 2^40 fields if expanded: measured at once."""
    chain = "\n".join(f"fragment F{i} on Citizen {{ ...F{i + 1} ...F{i + 1} }}" for i in range(40))
    query = "{ citizen(id: 1) { ...F0 } }\n" + chain + "\nfragment F40 on Citizen { id }"
    started = time.perf_counter()
    depth, _, _, cost = _measure(served_schema, query)
    assert time.perf_counter() - started < 0.5
    assert depth == 2 and cost == 2 + 1.5 * 2 ** 40


def test_cyclic_fragments_do_not_hang_the_measure(served_schema: GraphQLSchema) -> None:
    query = "{ citizen(id: 1) { ...A } } fragment A on Citizen { id ...B } " \
            "fragment B on Citizen { familyName ...A }"
    assert _measure(served_schema, query)[0] == 2


def test_the_standard_introspection_query_is_within_the_default_limits(
        served_schema: GraphQLSchema) -> None:
    """GraphiQL's query nests ofType seven deep; the chain is linear and does not add depth."""
    query = get_introspection_query(descriptions=True, specified_by_url=True,
                                    directive_is_repeatable=True, schema_description=True,
                                    input_value_deprecation=True)
    depth, aliases, directives, cost = _measure(served_schema, query)
    limits = Limits()
    assert depth <= limits.depth and aliases <= limits.aliases
    assert directives <= limits.directives and cost <= limits.cost


def test_nested_fields_of_introspection_do_add_depth(served_schema: GraphQLSchema) -> None:
    deep = "{ __schema { types { fields { type { fields { type { name } } } } } } }"
    assert _measure(served_schema, deep)[0] == 7


def test_list_caps_by_coordinate_never_exceed_the_ceiling() -> None:
    limits = Limits(list_size=100, list_sizes={"Patient.encounters": 5, "Query.citizens": 500})
    assert limits.list_cap("Patient.encounters") == 5
    assert limits.list_cap("Query.citizens") == 100
    assert limits.list_cap("Pupil.attendance") == 100


# ------------------------------------------------------------------ Accept negotiation


@pytest.mark.parametrize(("accept", "chosen"), [
    ("", JSON),
    ("*/*", JSON),
    ("application/*", JSON),
    ("application/json", JSON),
    (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
    (f"{GRAPHQL_RESPONSE}, {JSON}", GRAPHQL_RESPONSE),
    (f"{JSON}, {GRAPHQL_RESPONSE}", GRAPHQL_RESPONSE),  # equal q: the more specific wins
    (f"{JSON};q=1, {GRAPHQL_RESPONSE};q=0.5", JSON),
    (f"{GRAPHQL_RESPONSE};q=0, {JSON}", JSON),
    (f"{GRAPHQL_RESPONSE}; charset=utf-8", GRAPHQL_RESPONSE),
    ("text/html, */*;q=0.1", JSON),
    ("APPLICATION/JSON", JSON),
])
def test_accept_negotiation(accept: str, chosen: str) -> None:
    assert negotiate(accept) == chosen


@pytest.mark.parametrize("accept", ["text/html", f"{GRAPHQL_RESPONSE};q=0", "application/xml",
                                    f"{JSON};q=nonsense"])
def test_nothing_acceptable_is_406(accept: str) -> None:
    with pytest.raises(NotAcceptable):
        negotiate(accept)


# ------------------------------------------------------------------ rate limit and engine slots


def test_token_bucket_allows_a_burst_then_the_rate() -> None:
    limiter = RateLimiter(rate=2, burst=3)
    for _ in range(3):
        limiter.take("ann", now=100.0)
    with pytest.raises(TooManyRequests) as refused:
        limiter.take("ann", now=100.0)
    assert refused.value.retry_after == 1 and refused.value.status == 429
    limiter.take("bob", now=100.0)  # another user has a bucket of their own
    limiter.take("ann", now=100.5)  # half a second at 2/s: one token back
    with pytest.raises(TooManyRequests):
        limiter.take("ann", now=100.5)


def test_rate_zero_turns_the_limiter_off() -> None:
    limiter = RateLimiter(rate=0, burst=1)
    for _ in range(100):
        limiter.take("ann")
    assert len(limiter) == 0


def test_idle_buckets_are_dropped_once_full_again() -> None:
    limiter = RateLimiter(rate=1000, burst=1)
    limiter._PRUNE_AT = 10  # type: ignore[misc]
    for index in range(50):
        limiter.take(f"user-{index}", now=float(index))
    assert len(limiter) <= 11


def test_engine_slots_queue_briefly_then_refuse() -> None:
    async def scenario() -> list[str]:
        slots = EngineSlots(slots=1, queue=1, wait_seconds=0.2)
        outcomes: list[str] = []
        release = asyncio.Event()

        async def holder() -> None:
            async with slots.slot():
                outcomes.append("held")
                await release.wait()

        async def visitor(name: str) -> None:
            try:
                async with slots.slot():
                    outcomes.append(f"{name} ran")
            except Overloaded as error:
                assert error.status == 503 and error.retry_after == 1
                outcomes.append(f"{name} refused")

        task = asyncio.create_task(holder())
        await asyncio.sleep(0.01)
        queued = asyncio.create_task(visitor("queued"))
        await asyncio.sleep(0.01)
        await visitor("third")  # the queue (1) is full: refused at once
        await queued  # waited 0.2 s, no slot freed: refused
        release.set()
        await task
        await visitor("later")
        return outcomes

    assert asyncio.run(scenario()) == ["held", "third refused", "queued refused", "later ran"]


def test_a_queued_request_runs_when_a_slot_frees_in_time() -> None:
    async def scenario() -> list[str]:
        slots = EngineSlots(slots=1, queue=4, wait_seconds=2)
        order: list[str] = []

        async def job(name: str, hold: float) -> None:
            async with slots.slot():
                order.append(name)
                await asyncio.sleep(hold)

        await asyncio.gather(job("a", 0.05), job("b", 0), job("c", 0))
        return order

    assert asyncio.run(scenario()) == ["a", "b", "c"]
