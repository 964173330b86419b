"""The embedded engine: DuckDB attaching the department databases in place (engine.py), from the
connector files (sources.py), rendering the compiled tree (dialect.py, after pushdown.py), run in
a supervised worker process (worker.py)."""
