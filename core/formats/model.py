"""What the readers return: plain dataclasses, with the JSON of `printstall inspect` (a stable interface)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

Triangles = npt.NDArray[np.float32]  # shape (n, 3, 3): n triangles of three (x, y, z) vertices, in mm


@dataclass
class Thumbnail:
    """An image found in a file. `format` comes from the image's magic bytes, not from the file's tag."""

    width: int
    height: int
    format: str  # png, jpg, qoi
    data: bytes

    def to_json(self) -> dict[str, Any]:
        return {"width": self.width, "height": self.height, "format": self.format}


@dataclass
class FilamentUse:
    """One extruder slot of a sliced file. Unknown values are None, never guessed."""

    slot: int  # 0-based extruder index
    type: str | None = None  # PLA, PETG, ...
    color: str | None = None  # "#RRGGBB" as the slicer wrote it
    name: str | None = None  # the filament profile or product name
    length_mm: float | None = None
    weight_g: float | None = None
    cost: float | None = None  # in the slicer's currency

    def to_json(self) -> dict[str, Any]:
        return {
            "slot": self.slot,
            "type": self.type,
            "color": self.color,
            "name": self.name,
            "length_mm": self.length_mm,
            "weight_g": self.weight_g,
            "cost": self.cost,
        }


def _total(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return round(sum(known), 4) if known else None


@dataclass
class SlicedInfo:
    """What a sliced file (or one plate of a .gcode.3mf) says about the print."""

    slicer_name: str | None = None  # as the slicer writes it: PrusaSlicer, Cura, OrcaSlicer, BambuStudio, ...
    slicer_version: str | None = None
    printer_model: str | None = None
    nozzle_diameter_mm: float | None = None
    layer_height_mm: float | None = None
    first_layer_height_mm: float | None = None
    infill_percent: float | None = None
    estimated_time_s: int | None = None
    layer_count: int | None = None
    object_height_mm: float | None = None
    filaments: list[FilamentUse] = field(default_factory=list)
    thumbnails: list[Thumbnail] = field(default_factory=list)
    settings: dict[str, str] = field(default_factory=dict)  # every key = value the slicer wrote
    warnings: list[str] = field(default_factory=list)
    plate: int | None = None  # 1-based plate number inside a .gcode.3mf

    @property
    def total_length_mm(self) -> float | None:
        return _total([f.length_mm for f in self.filaments])

    @property
    def total_weight_g(self) -> float | None:
        return _total([f.weight_g for f in self.filaments])

    @property
    def total_cost(self) -> float | None:
        return _total([f.cost for f in self.filaments])

    def to_json(self) -> dict[str, Any]:
        return {
            "slicer": {"name": self.slicer_name, "version": self.slicer_version}
            if self.slicer_name
            else None,
            "printer_model": self.printer_model,
            "nozzle_diameter_mm": self.nozzle_diameter_mm,
            "layer_height_mm": self.layer_height_mm,
            "first_layer_height_mm": self.first_layer_height_mm,
            "infill_percent": self.infill_percent,
            "estimated_time_s": self.estimated_time_s,
            "layer_count": self.layer_count,
            "object_height_mm": self.object_height_mm,
            "filaments": [f.to_json() for f in self.filaments],
            "total_length_mm": self.total_length_mm,
            "total_weight_g": self.total_weight_g,
            "total_cost": self.total_cost,
            "thumbnails": [t.to_json() for t in self.thumbnails],
            "warnings": list(self.warnings),
        }


@dataclass
class MeshInfo:
    """A triangle mesh in millimetres and what is measured from it."""

    triangles: Triangles
    warnings: list[str] = field(default_factory=list)

    @property
    def triangle_count(self) -> int:
        return int(self.triangles.shape[0])

    @property
    def bbox_mm(self) -> tuple[tuple[float, float, float], tuple[float, float, float]] | None:
        if self.triangle_count == 0:
            return None
        points = self.triangles.reshape(-1, 3)
        columns = [points[:, axis] for axis in range(3)]  # per column: numpy's axis=0 reduction is slow here
        lo = tuple(float(c.min()) for c in columns)
        hi = tuple(float(c.max()) for c in columns)
        return (lo[0], lo[1], lo[2]), (hi[0], hi[1], hi[2])

    @property
    def volume_cm3(self) -> float:
        """Volume by the divergence theorem (right for closed, consistently wound meshes), in cm3."""
        t = self.triangles.astype(np.float64)
        volume_mm3 = np.einsum("ij,ij->i", t[:, 0], np.cross(t[:, 1], t[:, 2])).sum() / 6.0
        return abs(float(volume_mm3)) / 1000.0

    @property
    def surface_area_mm2(self) -> float:
        t = self.triangles.astype(np.float64)
        return float(np.linalg.norm(np.cross(t[:, 1] - t[:, 0], t[:, 2] - t[:, 0]), axis=1).sum() / 2.0)

    def to_json(self) -> dict[str, Any]:
        bbox = self.bbox_mm
        return {
            "triangles": self.triangle_count,
            "bbox_mm": [list(bbox[0]), list(bbox[1])] if bbox else None,
            "volume_cm3": round(self.volume_cm3, 4),
        }


@dataclass
class Inspection:
    """Everything read from one file: the JSON of `printstall inspect`."""

    kind: str  # stl, 3mf, obj, gcode, bgcode, gcode.3mf
    sha256: str
    size_bytes: int
    sliced: SlicedInfo | None = None  # gcode, bgcode; for gcode.3mf: the first plate
    mesh: MeshInfo | None = None
    plates: list[SlicedInfo] = field(default_factory=list)  # gcode.3mf
    thumbnails: list[Thumbnail] = field(default_factory=list)  # of a 3MF model (sliced files: in `sliced`)
    warnings: list[str] = field(default_factory=list)
    # Descriptive metadata of a model file (3MF Title, Designer, License, ...); not part of the JSON.
    metadata: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        base = self.sliced.to_json() if self.sliced is not None else SlicedInfo().to_json()
        thumbnails = base["thumbnails"] or [t.to_json() for t in self.thumbnails]
        return {
            "kind": self.kind,
            "sha256": self.sha256,
            "size_bytes": self.size_bytes,
            **base,
            "thumbnails": thumbnails,
            "mesh": self.mesh.to_json() if self.mesh is not None else None,
            "plates": [{"plate": p.plate, **p.to_json()} for p in self.plates],
            "warnings": [*self.warnings, *(self.mesh.warnings if self.mesh else []), *base["warnings"]],
        }
