"""schema.graphql in, a typed contract (contract.py) and the served GraphQL schema (schema.py) out."""
