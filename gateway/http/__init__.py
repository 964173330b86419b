"""GraphQL over HTTP: the Starlette app, bearer tokens, the explorer and the governance page.
The only package that imports Starlette's request and response types."""
