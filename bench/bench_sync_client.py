"""The app's sync engine against the local stack (PostgreSQL, `weed mini`, the service in its own process):

- the first sync of a library of 1,000 models, each with a mesh file and a thumbnail, pushed from one
  computer (MB/s of files and seconds end to end);
- the same library arriving on a second computer (records, then the thumbnails; meshes stay on the service
  until opened);
- an incremental sync of one changed field (push and pull, median of several).
"""

from __future__ import annotations

import os
import shutil
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from bench.common import Result
from bench.sync_stack import running_stack
from core.db.models import FileBlob
from core.ids import blob_id
from core.services import library
from core.workspace import Workspace
from sync.client.engine import SyncEngine, pending_count
from sync.client.transport import HttpTransport
from sync.server.access_tokens import issue_access_token

MODELS = 1000
MESH_BYTES = 200 * 1024  # a small printable part; real meshes are often larger
THUMBNAIL_BYTES = 12 * 1024
INCREMENTAL_RUNS = 7


def _file(uow_ws: Workspace, data: bytes, kind: str, name: str) -> str:
    stored = uow_ws.blobs.put_bytes(data)
    ident = blob_id(stored.sha256)
    with uow_ws.write() as uow:
        uow.create(
            FileBlob,
            id=ident,
            sha256=stored.sha256,
            size=stored.size,
            kind=kind,
            original_name=name,
            media_type="model/stl" if kind == "mesh" else "image/png",
            details={},
        )
    return ident


def _library(ws: Workspace) -> int:
    """1,000 models with a mesh and a thumbnail each; the bytes of files made."""
    total = 0
    for n in range(MODELS):
        mesh, thumbnail = os.urandom(MESH_BYTES), os.urandom(THUMBNAIL_BYTES)
        thumb_id = _file(ws, thumbnail, "image", f"model-{n}.png")
        mesh_id = _file(ws, mesh, "mesh", f"model-{n}.stl")
        model = library.add_model(ws, name=f"Model {n}", tags=["bench"], thumbnail_blob_id=thumb_id)
        library.attach_file(ws, model.id, mesh_id, role="mesh")
        total += len(mesh) + len(thumbnail)
    return total


def benchmarks() -> list[Result]:
    folder = Path(tempfile.mkdtemp(prefix="printstall-bench-client-"))
    try:
        with running_stack(with_storage=True) as stack:
            user = str(uuid.uuid4())

            def install(name: str) -> tuple[Workspace, SyncEngine]:
                ws = Workspace.open(folder / name)
                ws.set_owner(user)
                token = issue_access_token(stack.settings, user, device_id=ws.device_id)
                transport = HttpTransport(stack.base_url, lambda _renew: token)
                return ws, SyncEngine(ws, transport, files=transport)

            workshop, workshop_sync = install("workshop")
            laptop, laptop_sync = install("laptop")
            try:
                made_start = time.perf_counter()
                file_bytes = _library(workshop)
                made_s = time.perf_counter() - made_start
                rows = pending_count(workshop)

                start = time.perf_counter()
                pushed = workshop_sync.sync()
                first_s = time.perf_counter() - start
                mb = file_bytes / 1e6

                start = time.perf_counter()
                pulled = laptop_sync.sync()
                second_s = time.perf_counter() - start

                models = library.list_models(workshop)
                timings = []
                for run in range(INCREMENTAL_RUNS):
                    library.edit_model(workshop, models[run].id, name=f"Renamed {run}")
                    start = time.perf_counter()
                    workshop_sync.sync()
                    timings.append(time.perf_counter() - start)
                start = time.perf_counter()
                laptop_sync.sync()
                incoming_ms = (time.perf_counter() - start) * 1000
                arrived = {m.name for m in library.list_models(laptop)}
            finally:
                workshop.close()
                laptop.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    complete = (
        pushed.pushed == rows
        and not pushed.rejected
        and pulled.pulled >= rows
        and pulled.thumbnails == MODELS
        and all(f"Renamed {run}" in arrived for run in range(INCREMENTAL_RUNS))
    )
    return [
        Result(f"library made locally ({MODELS} models, {mb:.0f} MB of files)", f"{made_s:.1f} s"),
        Result(f"first sync: {rows} rows and {2 * MODELS} files up", f"{first_s:.1f} s"),
        Result("  files uploaded (presigned PUT + confirm)", f"{mb / first_s:.1f} MB/s"),
        Result("second computer: rows down, then the thumbnails", f"{second_s:.1f} s"),
        Result("incremental sync of one change (median)", f"{statistics.median(timings) * 1000:.0f} ms"),
        Result("  the other computer pulls those changes", f"{incoming_ms:.0f} ms"),
        Result("every row and thumbnail arrived, none refused", "yes" if complete else "NO", "yes", complete),
    ]
