"""Tender documents over REST: the tenderer or its agency uploads (multipart), registered
bidders download; docs/tender-documents.md.

The upload is spooled to disk by the multipart parser (the body limit is
GGZY_MAX_DOCUMENT_BYTES), hashed, then stored by its SHA-256; the download says the digest in
``Repr-Digest`` (RFC 9530) and ``ETag`` so a bidder can check what it received.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import IO, Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import StreamingResponse

from adapters.rest.deps import Caller, Deps, UoW
from adapters.rest.fields import PathCode, PathId
from adapters.rest.schemas import DocumentOut, document_out
from core.services import tender_documents
from core.services.project_queries import get_tender_project

router = APIRouter(prefix="/api/v1", tags=["tender documents"])
BLOCK = 1 << 20


@router.post("/tender-projects/{code}/documents", response_model=DocumentOut, status_code=201)
def upload(code: PathCode, file: Annotated[UploadFile, File()], uow: UoW, caller: Caller,
           c: Deps, kind: Annotated[str, Form(max_length=20)] = "tender_documents",
           sha256: Annotated[str | None, Form(max_length=64)] = None) -> DocumentOut:
    """Upload the 招标文件 or a clarification of the tender project (its tenderer or agency);
    ``sha256``, if given, must match the bytes received (DOCUMENT_HASH_MISMATCH)."""
    return document_out(tender_documents.upload(
        uow, caller, c.file_store, code, kind, file.filename or "", file.content_type,
        file.file, sha256))


@router.get("/tender-projects/{code}/documents", response_model=list[DocumentOut])
def listing(code: PathCode, uow: UoW, caller: Caller) -> list[DocumentOut]:
    """The tender project's documents, for those who may read the project (the public list is
    on each published notice)."""
    tp = get_tender_project(uow, caller, code)
    return [document_out(d) for d in tender_documents.documents_of(uow.session, tp.id)]


def _blocks(stream: IO[bytes]) -> Iterator[bytes]:
    with stream:
        while block := stream.read(BLOCK):
            yield block


@router.get("/tender-documents/{document_id}/content",
            responses={200: {"content": {"application/octet-stream": {}}}})
def download(document_id: PathId, uow: UoW, caller: Caller, c: Deps) -> StreamingResponse:
    """The file, for a bidder registered for one of the tender project's sections (others: 403
    DOCUMENT_NOT_REGISTERED); each download is audited."""
    doc, stream = tender_documents.download(uow, caller, c.file_store, document_id)
    digest = base64.b64encode(bytes.fromhex(doc.sha256)).decode()
    return StreamingResponse(_blocks(stream), media_type=doc.media_type, headers={
        "Content-Length": str(doc.size),
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(doc.name)}",
        "Repr-Digest": f"sha-256=:{digest}:", "ETag": f'"{doc.sha256}"',
        "X-Content-Type-Options": "nosniff"})
