"""Governance's files in, verdicts out: the Casbin policy (policy.py, the only Casbin importer),
the targets it may name (objects.py), hot reload (store.py), `policy diff` (diff.py), and the
authorize stage that turns a plan into an AuthorizedPlan (authorize.py)."""
