"""The benchmark of issue 6: the gateway against hand-written Trino SQL, direct database queries and a
naive resolver-per-field GraphQL server, over the same citizens in the same order.

Run it with `python -m bench --citizens N` (see bench/README.md). Every path returns the citizen
view in the same JSON shape, so a run also checks that the paths agree.
"""
