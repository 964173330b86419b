"""What the linkage account may read and write, from the contract: `citizen-gateway link grants`.

SELECT on each people table's key and identifying columns only (nothing clinical, nothing about
cases or tenancies), and on the registry's index tables SELECT, INSERT and DELETE, which is all a
run and a review need. Rendered per department database (PostgreSQL or MariaDB) for the database
administrator to apply, and applied by the local stack after seeding.
"""

from __future__ import annotations

from sqlglot import exp

from gateway.linkage.identity import Identities, IdentitySource

INDEX_TABLES = ("person_link", "link_review", "link_decision", "link_model")
Dialect = str  # sqlglot's name: postgres, mysql


def _principal(account: str) -> exp.GrantPrincipal:
    return exp.GrantPrincipal(this=exp.to_identifier(account))


def _grant(privileges: list[exp.GrantPrivilege], kind: str, securable: exp.Expr,
           account: str) -> exp.Grant:
    return exp.Grant(privileges=privileges, kind=kind, securable=securable,
                     principals=[_principal(account)])


def _columns_grant(source: IdentitySource, account: str) -> exp.Grant:
    columns = [source.key, *sorted(set(source.columns.values()))]
    privilege = exp.GrantPrivilege(this=exp.var("SELECT"),
                                   expressions=[exp.column(c) for c in columns])
    table = exp.table_(source.table.table, db=source.table.schema)
    return _grant([privilege], "TABLE", table, account)


def grants(identities: Identities, account: str, dialects: dict[str, Dialect]
           ) -> dict[str, list[str]]:
    """GRANT statements by catalog, each in its database's dialect (`dialects[catalog]`)."""
    out: dict[str, list[exp.Grant]] = {}
    sources = [identities.registry, *identities.departments]
    for source in sources:
        statements = out.setdefault(source.table.catalog, [])
        if dialects[source.table.catalog] == "postgres":
            schema = exp.to_identifier(source.table.schema)
            usage = _grant([exp.GrantPrivilege(this=exp.var("USAGE"))], "SCHEMA", schema, account)
            if all(s.sql() != usage.sql() for s in statements):
                statements.append(usage)
        statements.append(_columns_grant(source, account))
    index = identities.index.table
    writes = [exp.GrantPrivilege(this=exp.var(p)) for p in ("SELECT", "INSERT", "DELETE")]
    for name in INDEX_TABLES:
        out.setdefault(index.catalog, []).append(
            _grant(writes, "TABLE", exp.table_(name, db=index.schema), account))
    return {catalog: [s.sql(dialects[catalog]) for s in statements]
            for catalog, statements in out.items()}
