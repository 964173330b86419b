# Names `make lint`'s dead-code check (vulture) cannot see used: read by tests, by a library
# (sqlglot, graphql-core, logging, pydantic, requests) or by name. Keep each with its reason.
_.busy  # EngineSlots: in-flight count, read by tests/integration/test_failures.py
bind_tree  # compile: the tree-level binding the DuckDB golden tests compare the text binding with
Generator  # sqlglot: a dialect's generator class, looked up by sqlglot
_.crashes  # SupervisedDuckDB: workers lost, read by tests/unit/test_duckdb_worker.py
_.trust_env  # requests.Session setting
_.enter_operation_definition  # graphql-core visitor hook
_.format  # logging.Formatter hook
model_config  # pydantic settings configuration
