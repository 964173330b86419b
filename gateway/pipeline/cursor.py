"""Keyset pagination cursors: the sort key of the last row, signed so a client cannot forge one.

A cursor names the order it was made for; using it with another order, or changing a byte of it,
is a BadCursor. The values inside are the requester's own sort keys (never masked fields: sorting
on a field that is not in clear is refused before a cursor is ever made).
"""

from __future__ import annotations

import base64
import binascii
import datetime
import hashlib
import hmac
import json

from gateway.errors import BadCursor
from gateway.ir import Scalar, Sort

_SIGNATURE_BYTES = 16


def _order_signature(order: tuple[Sort, ...]) -> str:
    return ",".join(f"{sort.field}{'-' if sort.descending else '+'}" for sort in order)


def _sign(payload: bytes, key: bytes) -> bytes:
    return hmac.new(key, payload, hashlib.sha256).digest()[:_SIGNATURE_BYTES]


def encode(values: tuple[Scalar, ...], order: tuple[Sort, ...], key: bytes) -> str:
    payload = json.dumps([_order_signature(order), list(values)], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(_sign(payload, key) + payload).decode().rstrip("=")


def decode(token: str, order: tuple[Sort, ...], key: bytes) -> tuple[Scalar, ...]:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        raise BadCursor("the `after` cursor is not one this gateway issued") from None
    signature, payload = raw[:_SIGNATURE_BYTES], raw[_SIGNATURE_BYTES:]
    if len(token) > 2000 or not hmac.compare_digest(signature, _sign(payload, key)):
        raise BadCursor("the `after` cursor is not one this gateway issued")
    try:
        signature_order, values = json.loads(payload)
    except (ValueError, TypeError):  # signed, yet not a cursor: another key's use, or a bug
        raise BadCursor("the `after` cursor is not one this gateway issued") from None
    if (signature_order != _order_signature(order) or not isinstance(values, list)
            or len(values) != len(order)):
        raise BadCursor("the `after` cursor was made for a different orderBy")
    if not all(_fits(sort, value) for sort, value in zip(order, values, strict=True)):
        # signed by this key but typed for another schema (a field's type changed since)
        raise BadCursor("the `after` cursor was made for a different version of the schema")
    return tuple(values)


def _fits(sort: Sort, value: object) -> bool:
    """A cursor value the keyset condition can compare with its sort key (as the engine handed
    it out: ids and dates as text). NULL sorts last and is never kept."""
    if value is None:
        return True
    if isinstance(value, bool):
        return sort.kind == "boolean"
    if sort.kind in ("id", "int"):
        return isinstance(value, int) or (
            isinstance(value, str) and value.isascii() and value.lstrip("-").isdigit()
            and len(value) <= 19)
    if sort.kind == "float":
        return isinstance(value, int | float)
    if sort.kind == "date":
        if not isinstance(value, str):
            return False
        try:
            datetime.date.fromisoformat(value)
        except ValueError:
            return False
        return True
    return isinstance(value, str) and sort.kind != "boolean"
