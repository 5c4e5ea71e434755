"""Importing files, folders and zip archives into the content-addressed store."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

from sqlalchemy import func, select

from core.db.models import FileBlob
from core.ids import blob_id
from core.services.importing import import_paths
from core.workspace import Workspace
from tests.core.files import cube_stl_bytes

DATA = Path(__file__).resolve().parent.parent / "data" / "slicers"


def blob_count(ws: Workspace) -> int:
    with ws.read() as session:
        return session.scalar(select(func.count()).select_from(FileBlob)) or 0


def test_a_file_is_stored_once_under_its_hash(workspace: Workspace, tmp_path: Path) -> None:
    source = DATA / "mini_cube_b.bgcode"
    [outcome] = import_paths(workspace, [source])
    sha = hashlib.sha256(source.read_bytes()).hexdigest()
    assert (outcome.status, outcome.sha256, outcome.kind) == ("added", sha, "sliced")
    stored = workspace.blobs.path_for(sha)
    assert stored.read_bytes() == source.read_bytes()
    with workspace.read() as session:
        row = session.get(FileBlob, (workspace.owner_id, blob_id(sha)))
    assert row is not None and row.size == source.stat().st_size and row.original_name == source.name

    copy = tmp_path / "renamed copy.bgcode"
    copy.write_bytes(source.read_bytes())
    [again] = import_paths(workspace, [copy])
    assert again.status == "duplicate" and "mini_cube_b.bgcode" in again.message
    assert blob_count(workspace) == 2  # the file and its thumbnail


def test_folders_and_zip_archives(workspace: Workspace, tmp_path: Path) -> None:
    folder = tmp_path / "prints"
    (folder / "sub").mkdir(parents=True)
    (folder / "cube.gcode").write_bytes((DATA / "mini_cube_ps2.8.1.gcode").read_bytes())
    (folder / "sub" / "notes.xyz").write_text("not ours")
    (folder / ".hidden.stl").write_text("skipped")
    archive = tmp_path / "bundle.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("models/box.stl", cube_stl_bytes())
        z.writestr("models/box copy.stl", cube_stl_bytes())
        z.writestr("__MACOSX/._box.stl", b"junk")
    outcomes = import_paths(workspace, [folder, archive])
    by_name = {o.source.rsplit("/", 1)[-1]: o.status for o in outcomes}
    assert (by_name["cube.gcode"], by_name["notes.xyz"]) == ("added", "rejected")
    assert sorted([by_name["box.stl"], by_name["box copy.stl"]]) == ["added", "duplicate"]
    assert blob_count(workspace) == 4  # the G-code, the cube, and a thumbnail of each


def test_a_zip_bomb_is_rejected_without_filling_the_disk(workspace: Workspace, tmp_path: Path) -> None:
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("huge.stl", b"\0" * (64 * 1024 * 1024))  # 64 MB of zeros squeezes to ~64 KB
    [outcome] = import_paths(workspace, [archive])
    assert outcome.status == "rejected" and "zip bomb" in outcome.message
    assert blob_count(workspace) == 0
    assert not any(p.is_file() for p in workspace.blobs.root.rglob("*"))


def test_a_member_that_lies_about_its_size_is_rejected(workspace: Workspace, tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as z:
        z.writestr("cube.stl", cube_stl_bytes())
    data = bytearray(buffer.getvalue())
    # Corrupt the stored bytes so the CRC check fails while reading.
    offset = data.index(b"printstall test cube")
    data[offset : offset + 10] = b"PRINTSTALL"
    archive = tmp_path / "damaged.zip"
    archive.write_bytes(bytes(data))
    [outcome] = import_paths(workspace, [archive])
    assert outcome.status == "rejected" and "damaged" in outcome.message
    assert blob_count(workspace) == 0


def test_bad_inputs_each_get_one_clear_message(workspace: Workspace, tmp_path: Path) -> None:
    not_zip = tmp_path / "fake.zip"
    not_zip.write_bytes(b"this is not a zip")
    empty = tmp_path / "empty.stl"
    empty.write_bytes(b"")
    outcomes = import_paths(workspace, [not_zip, empty, tmp_path / "missing.stl"])
    messages = {Path(o.source).name: o.message for o in outcomes}
    assert all(o.status == "rejected" for o in outcomes)
    assert "Not a readable zip archive" in messages["fake.zip"]
    assert messages["empty.stl"] == "The file is empty."
    assert messages["missing.stl"] == "The file does not exist."
    assert blob_count(workspace) == 0
    assert not any(p.is_file() for p in workspace.blobs.root.rglob("*"))


def test_progress_and_cancel(workspace: Workspace, tmp_path: Path) -> None:
    from core.tasks import TaskState

    folder = tmp_path / "many"
    folder.mkdir()
    for index in range(5):
        (folder / f"cube{index}.stl").write_bytes(cube_stl_bytes(10.0 + index))
    seen: list[int] = []

    def on_progress(state: TaskState) -> None:
        seen.append(state.done)
        if state.done == 2:
            state.cancel()  # the user presses Cancel after the second file

    state = TaskState(on_progress=on_progress)
    outcomes = import_paths(workspace, [folder], state=state)
    assert state.total == 5 and seen == [1, 2]
    assert [o.status for o in outcomes] == ["added", "added"]
    with workspace.read() as session:
        meshes = session.scalars(select(FileBlob.original_name).where(FileBlob.kind == "mesh")).all()
    assert sorted(meshes) == ["cube0.stl", "cube1.stl"]  # nothing of the other three
