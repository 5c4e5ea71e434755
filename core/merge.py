"""The one merge function of SYNC.md, shared by the app and the cloud service.

A record is its field values plus one clock per field. Merging keeps, per field, the value with the larger
clock; on equal clocks the larger canonical-JSON encoding wins; a field only one side has is taken. That is a
maximum over a total order, so the merge is commutative, associative and idempotent.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True)
class Versioned:
    """Field values and their clocks (encoded HLC strings). Every field has a clock."""

    fields: Mapping[str, Any]
    clocks: Mapping[str, str] = field(default_factory=dict)

    @property
    def hlc(self) -> str:
        return max(self.clocks.values(), default="")


def merge(a: Versioned, b: Versioned) -> Versioned:
    fields: dict[str, Any] = {}
    clocks: dict[str, str] = {}
    for name in a.fields.keys() | b.fields.keys():
        if name not in b.fields:
            winner = a
        elif name not in a.fields:
            winner = b
        else:
            key_a = (a.clocks.get(name, ""), canonical_json(a.fields[name]))
            key_b = (b.clocks.get(name, ""), canonical_json(b.fields[name]))
            winner = a if key_a >= key_b else b
        fields[name] = winner.fields[name]
        clocks[name] = winner.clocks.get(name, "")
    return Versioned(fields, clocks)
