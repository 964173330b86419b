"""The one error the stack raises: which part failed and why, as a single line."""

from __future__ import annotations


class StackError(Exception):
    """A part of the local stack could not be brought up, reached or stopped."""

    def __init__(self, part: str, message: str) -> None:
        self.part = part
        self.message = " ".join(message.split())  # always one line
        super().__init__(f"{part}: {self.message}")
