"""Reading 3MF packages: the mesh as placed on the build plate, the embedded thumbnail, and the metadata.

What is read (3MF core specification, plus the Production extension that Bambu Studio and OrcaSlicer write):

- The root model part named by the package relationships (`_rels/.rels`, type `.../3dmodel`), falling back
  to `3D/3dmodel.model`. Objects hold a `<mesh>` or `<components>`; components and build items carry a
  `transform` (12 numbers m00 m01 m02 m10 ... m32; points are row vectors: x' = x*m00 + y*m10 + z*m20 + m30)
  and, with the Production extension, a `p:path` to another model part (`/3D/Objects/object_1.model`).
- The mesh of the file is every build item with all its components placed, scaled from the root model's `unit`
  to millimetres. Cycles, nesting deeper than `MAX_DEPTH`, and more than `MAX_INSTANCES` placed objects are
  refused, so a tiny file cannot make the reader loop or allocate without bound.
- The thumbnails named by the package relationships (falling back to `Metadata/thumbnail.png`), recognised by
  their bytes whatever their name says.
- The root model's `<metadata name="...">` values (Title, Designer, License, Application, ...).

Safety: members are read through SafeZip (size caps, no zip bombs, nothing written to disk, so names like
`../x` are harmless); XML goes through defusedxml with DTDs forbidden (OPC forbids them, and that also stops
entity-expansion bombs).

Speed: a 50 MB model would take seconds through an XML parser that builds an element per vertex. So the
`<vertices>` and `<triangles>` sections are cut out of the text and read with regular expressions and numpy,
and only the small rest of the document (objects, components, build, metadata) goes through defusedxml. A
section that is not in the plain form every slicer writes (other attribute order, single quotes, entities,
comments inside, ...) sends the whole part to the element-by-element path, which gives the same result.

`read_3mf` reads a file; `read_package` reads an open SafeZip, for the .gcode.3mf reader, which may want the
metadata and thumbnails without the mesh (`mesh="no"`) or a mesh only where there is one (`mesh="optional"`).
"""

from __future__ import annotations

import functools
import io
import os
import posixpath
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Literal
from urllib.parse import unquote
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as SafeET
import numpy as np
import numpy.typing as npt

from core.errors import FileFormatError
from core.formats.mesh import MAX_TRIANGLES, checked_mesh
from core.formats.model import MeshInfo, Thumbnail
from core.formats.safezip import SafeZip
from core.formats.thumbnails import thumbnail_from_bytes

CORE_NS = "http://schemas.microsoft.com/3dmanufacturing/core/2015/02"
PRODUCTION_NS = "http://schemas.microsoft.com/3dmanufacturing/production/2015/06"
RELATIONSHIPS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
MODEL_RELATIONSHIP = "http://schemas.microsoft.com/3dmanufacturing/2013/01/3dmodel"
THUMBNAIL_RELATIONSHIP = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/thumbnail"
DEFAULT_MODEL_PART = "3D/3dmodel.model"
DEFAULT_THUMBNAIL = "Metadata/thumbnail.png"

UNITS_MM = {
    "micron": 0.001,
    "millimeter": 1.0,
    "centimeter": 10.0,
    "inch": 25.4,
    "foot": 304.8,
    "meter": 1000.0,
}
MAX_DEPTH = 16  # component nesting; real files use one or two levels
MAX_INSTANCES = 100_000  # placed mesh objects
MODEL_PART_CAP = 512 * 1024 * 1024
MODEL_TOTAL_CAP = 1024 * 1024 * 1024  # all model parts of a package together
RELATIONSHIPS_CAP = 4 * 1024 * 1024
THUMBNAIL_CAP = 32 * 1024 * 1024
METADATA_VALUE_CHARS = 10_000

MeshWanted = Literal["required", "optional", "no"]
Matrix = npt.NDArray[np.float64]  # 4x4, acting on row vectors [x y z 1]


@dataclass
class ThreeMF:
    """What a 3MF package holds for the library."""

    mesh: MeshInfo | None  # every build item placed, in mm; None when nothing is placed (or not asked for)
    thumbnails: list[Thumbnail] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)  # the root model's <metadata name=...> values
    warnings: list[str] = field(default_factory=list)


def read_3mf(
    source: bytes | str | os.PathLike[str] | IO[bytes],
    *,
    label: str = "This 3MF file",
    mesh: MeshWanted = "required",
) -> ThreeMF:
    """Read a 3MF file (its bytes, its path or a binary stream); FileFormatError, one sentence, if unreadable.

    With `mesh="required"` (the default) a package that places no mesh is an error; with "optional" its `mesh`
    is None; with "no" the meshes are not read at all (metadata and thumbnails only).
    """
    opened: Path | IO[bytes]
    if isinstance(source, bytes):
        opened = io.BytesIO(source)
    elif isinstance(source, str | os.PathLike):
        opened = Path(source)
    else:
        opened = source
    try:
        archive = SafeZip(opened, label)
    except (zlib.error, NotImplementedError) as exc:
        raise FileFormatError(f"{label} is not a readable zip container ({exc}).") from None
    with archive as package:
        return read_package(package, label=label, mesh=mesh)


def read_package(package: SafeZip, *, label: str = "This 3MF file", mesh: MeshWanted = "required") -> ThreeMF:
    """Read an open 3MF package: see `read_3mf`."""
    result = ThreeMF(mesh=None)
    relations = relationships(package, "_rels/.rels", result.warnings)
    result.thumbnails = _thumbnails(package, relations, result.warnings)
    root = root_model_part(package, relations)
    if root is None:
        if mesh == "required":
            raise FileFormatError(f"{label} has no 3D model part (3D/3dmodel.model), so it holds no mesh.")
        return result
    reader = _ModelReader(package, label, result.warnings, read_meshes=mesh != "no")
    model = reader.part(root)
    result.metadata = model.metadata
    if mesh == "no":
        return result
    triangles = reader.placed_triangles(root)
    if triangles is None:
        if mesh == "required":
            raise FileFormatError(f"{label} places no mesh on its build plate.")
        return result
    result.mesh = checked_mesh(triangles, label, result.warnings)
    return result


def relationships(package: SafeZip, name: str, warnings: list[str]) -> list[tuple[str, str]]:
    """(type, target part name) of each relationship in the .rels part `name`; [] if missing or unreadable.

    Targets are resolved against the package root, as for the package's own `_rels/.rels`.
    """
    member = package.find(name)
    if member is None:
        return []
    try:
        data = read_member(package, member, RELATIONSHIPS_CAP)
        root: Element = SafeET.fromstring(data, forbid_dtd=True)
    except (ParseError, LookupError, ValueError) as exc:  # DefusedXmlException is a ValueError
        warnings.append(f"The package relationships ({name}) cannot be read ({exc}); defaults were used.")
        return []
    found = []
    for element in root.iter(f"{{{RELATIONSHIPS_NS}}}Relationship"):
        kind, target = element.get("Type", "").strip(), element.get("Target", "").strip()
        if kind and target:
            found.append((kind, posixpath.normpath("/" + unquote(target).lstrip("/")).lstrip("/")))
    return found


def read_member(package: SafeZip, name: str, cap: int) -> bytes:
    """`package.read`, with the damage SafeZip does not turn into FileFormatError yet (a corrupt deflate
    stream raises zlib.error; an unknown compression method, NotImplementedError)."""
    try:
        return package.read(name, cap=cap)
    except (zlib.error, NotImplementedError) as exc:
        raise FileFormatError(f"{package.label}: the part {name} is damaged ({exc}).") from None


def root_model_part(package: SafeZip, relations: list[tuple[str, str]]) -> str | None:
    """The member name of the root model part, or None when the package has none."""
    for kind, target in relations:
        if kind == MODEL_RELATIONSHIP and (member := package.find(target)) is not None:
            return member
    return package.find(DEFAULT_MODEL_PART)


def _thumbnails(package: SafeZip, relations: list[tuple[str, str]], warnings: list[str]) -> list[Thumbnail]:
    targets = [target for kind, target in relations if kind == THUMBNAIL_RELATIONSHIP] or [DEFAULT_THUMBNAIL]
    thumbnails = []
    seen = set()
    for target in targets:
        member = package.find(target)
        if member is None or member in seen:
            continue
        seen.add(member)
        try:
            data = read_member(package, member, THUMBNAIL_CAP)
        except FileFormatError as exc:
            warnings.append(f"The thumbnail {member} was skipped: {exc}")
            continue
        thumbnail = thumbnail_from_bytes(data, warnings, where=f"thumbnail {member}")
        if thumbnail is not None:
            thumbnails.append(thumbnail)
    return thumbnails


# --- model parts -------------------------------------------------------------------------------------------


@dataclass
class _Mesh:
    vertices: npt.NDArray[np.float64]  # (m, 3)
    triangles: npt.NDArray[np.int64]  # (k, 3), indices into vertices


@dataclass
class _Object:
    mesh: _Mesh | None = None
    components: list[tuple[str | None, str, Matrix]] = field(default_factory=list)  # (part, objectid, matrix)


@dataclass
class _Part:
    unit: str
    objects: dict[str, _Object]
    items: list[tuple[str | None, str, Matrix]]  # build items: (part, objectid, matrix)
    metadata: dict[str, str]


class _SlowPath(Exception):
    """A bulk section not in the plain form: parse the part element by element instead."""


def _tag(name: str) -> str:
    return f"{{{CORE_NS}}}{name}"


BULK_ATTRIBUTE = "printstall-bulk"  # marks where a cut-out <vertices> or <triangles> section was
OPEN_SECTION = re.compile(rb"<((?:[A-Za-z_][\w.\-]*:)?)(vertices|triangles)\s*>")
# Attribute values as slicers write them; anything else (entities, blanks, nan) takes the slow path.
DECIMAL = rb'\s*=\s*"([-+.\deE]+)"'
INDEX = rb'\s*=\s*"(\d+)"'


@functools.lru_cache(maxsize=64)
def _section_pattern(prefix: bytes, element: bytes, names: tuple[bytes, bytes, bytes]) -> re.Pattern[bytes]:
    value = DECIMAL if element == b"vertex" else INDEX
    attributes = rb"\s+".join(name + value for name in names)
    return re.compile(rb"<" + re.escape(prefix) + element + rb"\s+" + attributes + rb"[^<>]*/>")


class _ModelReader:
    """Parses model parts on demand (each once) and places the build items."""

    def __init__(self, package: SafeZip, label: str, warnings: list[str], *, read_meshes: bool) -> None:
        self.package = package
        self.label = label
        self.warnings = warnings
        self.read_meshes = read_meshes
        self.parts: dict[str, _Part] = {}
        self.bytes_read = 0
        self.visits = 0

    # -- parsing --

    def part(self, name: str) -> _Part:
        if name not in self.parts:
            size = self.package.size(name)
            if size <= MODEL_PART_CAP and self.bytes_read + size > MODEL_TOTAL_CAP:
                raise FileFormatError(
                    f"{self.label} has more than {MODEL_TOTAL_CAP // 2**20} MB of model parts."
                )
            self.bytes_read += size
            data = read_member(self.package, name, MODEL_PART_CAP)
            self.parts[name] = self._parse(name, data)
        return self.parts[name]

    def _parse(self, name: str, data: bytes) -> _Part:
        try:
            try:
                root, sections = self._parse_fast(data)
            except (_SlowPath, ParseError, LookupError):
                # Also when the cut-down document does not parse: a `<vertices>` inside a comment or CDATA
                # fools the cutting. The element-by-element parse of the whole part has the last word.
                root, sections = self._parse_slow(data)
        except defusedxml.DefusedXmlException:
            raise FileFormatError(
                f"{self.label}: the part {name} declares a DTD or XML entities, which 3MF does not allow "
                "(it may be an XML bomb)."
            ) from None
        except (ParseError, LookupError, ValueError) as exc:  # LookupError: an unknown encoding declared
            raise FileFormatError(f"{self.label}: the part {name} is not well-formed XML ({exc}).") from None
        return self._walk(name, root, sections)

    def _parse_fast(
        self, data: bytes
    ) -> tuple[Element, list[npt.NDArray[np.float64] | npt.NDArray[np.int64]]]:
        pieces: list[bytes] = []
        sections: list[npt.NDArray[np.float64] | npt.NDArray[np.int64]] = []
        pos = 0
        while match := OPEN_SECTION.search(data, pos):
            prefix, element = match.group(1), match.group(2)
            close = b"</" + prefix + element + b">"
            end = data.find(close, match.end())
            if end < 0:
                raise _SlowPath
            marker = b'<%s%s %s="%d"/>' % (prefix, element, BULK_ATTRIBUTE.encode(), len(sections))
            pieces += [data[pos : match.start()], marker]
            if self.read_meshes:
                sections.append(self._fast_section(data, match.end(), end, prefix, element))
            else:
                sections.append(np.zeros((0, 3)))
            pos = end + len(close)
        pieces.append(data[pos:])
        root: Element = SafeET.fromstring(b"".join(pieces), forbid_dtd=True)
        return root, sections

    @staticmethod
    def _fast_section(
        data: bytes, start: int, end: int, prefix: bytes, element: bytes
    ) -> npt.NDArray[np.float64] | npt.NDArray[np.int64]:
        if element == b"vertices":
            pattern = _section_pattern(prefix, b"vertex", (b"x", b"y", b"z"))
        else:
            pattern = _section_pattern(prefix, b"triangle", (b"v1", b"v2", b"v3"))
        values = pattern.findall(data, start, end)
        if len(values) != data.count(b"<", start, end):
            raise _SlowPath  # something else in the section: comments, other forms, other elements
        try:
            if element == b"vertices":
                return np.array(values, dtype=np.float64).reshape(-1, 3)
            return np.array(values, dtype=np.int64).reshape(-1, 3)
        except (ValueError, OverflowError):
            raise _SlowPath from None  # the element-by-element path decides, and names the problem

    def _parse_slow(
        self, data: bytes
    ) -> tuple[Element, list[npt.NDArray[np.float64] | npt.NDArray[np.int64]]]:
        sections: list[npt.NDArray[np.float64] | npt.NDArray[np.int64]] = []
        stack: list[Element] = []
        root: Element | None = None
        values: list[tuple[str | None, ...]] = []
        leaves = {_tag("vertex"): ("x", "y", "z"), _tag("triangle"): ("v1", "v2", "v3")}
        for event, element in SafeET.iterparse(io.BytesIO(data), events=("start", "end"), forbid_dtd=True):
            if event == "start":
                root = element if root is None else root
                stack.append(element)
                continue
            stack.pop()
            names = leaves.get(element.tag)
            if names is not None:
                if self.read_meshes:
                    values.append(tuple(element.get(n) for n in names))
                if stack:
                    stack[-1].remove(element)  # keep memory flat: the values are all that is needed
            elif element.tag in (_tag("vertices"), _tag("triangles")):
                sections.append(self._slow_section(element.tag == _tag("vertices"), values))
                values = []
                element.clear()
                element.set(BULK_ATTRIBUTE, str(len(sections) - 1))
        if root is None:
            raise ParseError("no element found")
        return root, sections

    def _slow_section(
        self, vertices: bool, values: list[tuple[str | None, ...]]
    ) -> npt.NDArray[np.float64] | npt.NDArray[np.int64]:
        if any(None in v for v in values):
            what = "a vertex without x, y and z" if vertices else "a triangle without v1, v2 and v3"
            raise FileFormatError(f"{self.label} has {what}.")
        try:
            if vertices:
                return np.array(values, dtype=np.float64).reshape(-1, 3)
            return np.array(values, dtype=np.int64).reshape(-1, 3)
        except (ValueError, OverflowError):
            what = "a vertex coordinate" if vertices else "a triangle vertex index"
            raise FileFormatError(f"{self.label} has {what} that is not a number.") from None

    # -- the document --

    def _walk(
        self, name: str, root: Element, sections: list[npt.NDArray[np.float64] | npt.NDArray[np.int64]]
    ) -> _Part:
        if root.tag != _tag("model"):
            raise FileFormatError(
                f"{self.label}: the part {name} is not a 3MF model (its root is {root.tag})."
            )
        unit = root.get("unit", "millimeter").strip().lower()
        if unit not in UNITS_MM:
            self.warnings.append(f"The model unit {unit!r} is unknown; millimetres were assumed.")
            unit = "millimeter"
        metadata = {}
        for element in root.findall(_tag("metadata")):
            key = element.get("name", "").strip()
            if key:
                metadata[key] = "".join(element.itertext()).strip()[:METADATA_VALUE_CHARS]
        objects: dict[str, _Object] = {}
        resources = root.find(_tag("resources"))
        for element in resources.findall(_tag("object")) if resources is not None else []:
            objects[element.get("id", "").strip()] = self._object(element, sections)
        items = []
        build = root.find(_tag("build"))
        for element in build.findall(_tag("item")) if build is not None else []:
            items.append(self._reference(element))
        return _Part(unit=unit, objects=objects, items=items, metadata=metadata)

    def _object(
        self, element: Element, sections: list[npt.NDArray[np.float64] | npt.NDArray[np.int64]]
    ) -> _Object:
        obj = _Object()
        mesh = element.find(_tag("mesh"))
        if mesh is not None:
            vertices = self._bulk(mesh.find(_tag("vertices")), sections).astype(np.float64, copy=False)
            triangles = self._bulk(mesh.find(_tag("triangles")), sections).astype(np.int64, copy=False)
            if triangles.size and (triangles.min() < 0 or triangles.max() >= len(vertices)):
                bad = int(triangles.max() if triangles.max() >= len(vertices) else triangles.min())
                raise FileFormatError(
                    f"{self.label} has a triangle that refers to vertex {bad} of object "
                    f"{element.get('id')}, which has {len(vertices):,} vertices."
                )
            obj.mesh = _Mesh(vertices, triangles)
        components = element.find(_tag("components"))
        if components is not None:
            obj.components = [self._reference(c) for c in components.findall(_tag("component"))]
        return obj

    @staticmethod
    def _bulk(
        element: Element | None, sections: list[npt.NDArray[np.float64] | npt.NDArray[np.int64]]
    ) -> npt.NDArray[np.float64] | npt.NDArray[np.int64]:
        marker = element.get(BULK_ATTRIBUTE) if element is not None else None
        if marker is None or not marker.isdigit() or int(marker) >= len(sections):
            return np.zeros((0, 3))
        return sections[int(marker)]

    def _reference(self, element: Element) -> tuple[str | None, str, Matrix]:
        path = element.get(f"{{{PRODUCTION_NS}}}path")
        objectid = element.get("objectid", "").strip()
        return path.strip() if path else None, objectid, self._transform(element.get("transform"))

    def _transform(self, text: str | None) -> Matrix:
        matrix = np.eye(4)
        if text is None or not text.strip():
            return matrix
        try:
            numbers = [float(n) for n in text.split()]
        except ValueError:
            numbers = []
        if len(numbers) != 12 or not np.isfinite(numbers).all():
            raise FileFormatError(f"{self.label} has a transform that is not 12 numbers: {text[:80]!r}.")
        matrix[:, :3] = np.reshape(numbers, (4, 3))
        return matrix

    # -- placing --

    def placed_triangles(self, root_name: str) -> npt.NDArray[np.float32] | None:
        """All build items with their components placed, in mm, shape (n, 3, 3); None when nothing is."""
        root = self.part(root_name)
        scale = np.diag([UNITS_MM[root.unit]] * 3 + [1.0])
        instances = []
        total = 0
        for path, objectid, matrix in root.items:
            for mesh, placed in self._instances(root_name, path, objectid, matrix @ scale, ()):
                total += len(mesh.triangles)
                if total > MAX_TRIANGLES:
                    raise FileFormatError(
                        f"{self.label} places more than {MAX_TRIANGLES:,} triangles, too many to read."
                    )
                instances.append((mesh, placed))
        for name, part in self.parts.items():
            if part.unit != root.unit:
                self.warnings.append(
                    f"The part {name} says its unit is {part.unit}; the root model's {root.unit} was used."
                )
        if total == 0:
            return None
        out = np.empty((total, 3, 3), dtype=np.float32)
        at = 0
        for mesh, placed in instances:  # one step per placed object, not per triangle
            v = mesh.vertices  # row vectors times the matrix, element-wise (no BLAS threads for a 3x3)
            points = v[:, 0:1] * placed[0, :3] + v[:, 1:2] * placed[1, :3] + v[:, 2:3] * placed[2, :3]
            points += placed[3, :3]
            count = len(mesh.triangles)
            out[at : at + count] = points.astype(np.float32)[mesh.triangles]
            at += count
        return out

    def _instances(
        self,
        part_name: str,
        path: str | None,
        objectid: str,
        matrix: Matrix,
        trail: tuple[tuple[str, str], ...],
    ) -> Iterator[tuple[_Mesh, Matrix]]:
        if path is not None:
            member = self.package.find(posixpath.normpath("/" + path).lstrip("/"))
            if member is None:
                raise FileFormatError(
                    f"{self.label} refers to the model part {path}, which it does not contain."
                )
            part_name = member
        key = (part_name, objectid)
        self.visits += 1
        if self.visits > MAX_INSTANCES:
            raise FileFormatError(f"{self.label} places more than {MAX_INSTANCES:,} objects.")
        if key in trail:
            raise FileFormatError(f"{self.label} has an object that contains itself through its components.")
        if len(trail) >= MAX_DEPTH:
            raise FileFormatError(f"{self.label} nests components more than {MAX_DEPTH} levels deep.")
        obj = self.part(part_name).objects.get(objectid)
        if obj is None:
            raise FileFormatError(
                f"{self.label} refers to object {objectid!r}, which its model does not define."
            )
        if obj.mesh is not None and len(obj.mesh.triangles):
            yield obj.mesh, matrix
        for child_path, child_id, child_matrix in obj.components:
            # Row vectors: a point goes through the component's transform first, then its parent's.
            yield from self._instances(part_name, child_path, child_id, child_matrix @ matrix, (*trail, key))
