"""Errors of `citizen-gateway seed`: each carries the one line the user sees."""

from __future__ import annotations


class SeedError(Exception):
    """Something the user can act on; `str(error)` is the whole message (no traceback)."""


class BadInput(SeedError):
    pass


class CannotConnect(SeedError):
    pass


class NotEmpty(SeedError):
    pass


class LoadFailed(SeedError):
    pass
