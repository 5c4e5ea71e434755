"""`POST /v1/trash/empty`: the user's "empty trash" (SYNC.md, Trash and storage).

Every tombstoned record of the authenticated user is hard-deleted now (sync.server.cleanup.purge_tombstones;
ledger rows are never touched), and then the stored files no row references any more and that are older
than the upload grace period are deleted and leave the quota. Answers `{"rows_purged", "files_deleted",
"bytes_freed"}`. When the storage does not answer, the rows are still purged and the files are left for the
daily job (`files_deleted` and `bytes_freed` are then 0).
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from pydantic import BaseModel

from sync.server.access_tokens import Owner
from sync.server.blobs_api import blob_store
from sync.server.cleanup import CollectedBlobs, collect_blobs, purge_tombstones
from sync.server.storage import StorageError

log = logging.getLogger(__name__)


class EmptyTrashResponse(BaseModel):
    rows_purged: int
    files_deleted: int
    bytes_freed: int


def make_router() -> APIRouter:
    """The maintenance routes, each authenticated by `current_owner` (sync.server.access_tokens)."""
    router = APIRouter(prefix="/v1/trash", tags=["trash"])

    @router.post("/empty", response_model=EmptyTrashResponse)
    def empty(owner: Owner, request: Request) -> EmptyTrashResponse:
        engine = request.app.state.engine
        purged = purge_tombstones(engine, owner, None)
        try:
            collected = collect_blobs(engine, blob_store(request), owner)
        except StorageError:
            log.warning("files of an emptied trash are left for the daily job", exc_info=True)
            collected = CollectedBlobs(0, 0)
        return EmptyTrashResponse(
            rows_purged=purged, files_deleted=collected.files, bytes_freed=collected.bytes_freed
        )

    return router
