"""Citizen-view gateway: one GraphQL question, one federated SQL query, masked by policy."""
