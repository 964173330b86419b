"""The citizen-view gateway: one GraphQL question, answered by federated SQL over department
databases left in place, masked by policy. Packages, in the order a request meets them:

- `gateway.http`      GraphQL over HTTP: app, bearer tokens, explorer, governance page.
- `gateway.pipeline`  the request path, one module per stage (service.py runs them in order).
- `gateway.policy`    the Casbin policy, its hot reload, and the authorize stage.
- `gateway.compile`   an authorized root → sqlglot trees: sql, predicates, values, bind, statements.
- `gateway.engine`    the Engine protocol; Trino (trino.py) and the embedded DuckDB (duckdb/).
- `gateway.contract`  schema.graphql → the typed contract and the served schema.
- `gateway.cli`       the `citizen-gateway` command, one module per subcommand.

Shared by all of them, at the top: `ir` (the typed plan), `errors` (one hierarchy), `requester`,
`settings`, `metrics`, `logs`, `audit` (the hash-chained record) and `wiring` (assembly only).
"""
