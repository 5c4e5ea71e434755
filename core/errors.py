"""The typed errors every layer above `core` catches: each carries one sentence fit to show a user."""

from __future__ import annotations


class PrintstallError(Exception):
    """Base class: `str(error)` is a complete sentence a user can read."""


class NotFound(PrintstallError):
    """A record the caller named does not exist (or is in the trash)."""

    def __init__(self, kind: str, ident: str) -> None:
        super().__init__(f"No {kind} with id {ident!r} was found.")
        self.kind = kind
        self.ident = ident


class ValidationError(PrintstallError):
    """Input that breaks a rule: a negative weight, an empty name, a job in the wrong state."""


class InsufficientStock(PrintstallError):
    """Selling, packing or adjusting more than is on hand."""


class Conflict(PrintstallError):
    """The operation clashes with the current state (for example, restoring into a non-empty data folder)."""


class FileFormatError(PrintstallError):
    """A file that cannot be read as what it claims to be."""


class StoreError(PrintstallError):
    """The data folder or its database cannot be opened or written."""


class ClockSkewError(PrintstallError):
    """A record clock from another device is too far in the future to be trusted."""
