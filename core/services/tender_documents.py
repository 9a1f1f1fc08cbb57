"""Tender documents as files: uploaded by the tenderer or its agency, downloaded by registered
bidders, listed on the tender project's notices.

Why registered bidders only: 招标投标法实施条例 第十六条 has the documents sold (or issued) to the
potential bidders who obtain them during the document period, and the platform must be able to
say who obtained them (电子招标投标办法 第二十三条: the platform records who downloaded); each
download is in the audit log and marks the bidder's registration. The list of documents (name,
size, SHA-256) is public with the notice: a bidder can check the file it got is the file
published, byte for byte.

When (条例 16, 87号令 18, 214号 10): a bidder obtains the 招标文件 during its round's sale period
only, from the issue to ``documents_available_until`` (by default the bid deadline;
:func:`core.rules.documents_limits.check_on_sale_now`, ``DOCUMENTS_NOT_ON_SALE_<article>``). A
bidder that obtained them within the period may fetch its copy again afterwards, and a
clarification (part of the 招标文件, 条例 21) stays open to every registered bidder.

The bytes go to the content-addressed file store (``ContentStore``), so their address is their
SHA-256; the row holds the name and the kind. A declared SHA-256 at upload is checked before
anything is stored or recorded.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Sequence
from datetime import datetime
from typing import IO

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import DomainError, ErrorKind, not_found
from core.model.document import DocumentKind, TenderDocument
from core.model.project import Section, TenderProject
from core.model.tendering import Registration, Round
from core.ports import ContentStore
from core.rules import documents_limits
from core.security.access import acts_for_project, require_project_actor
from core.security.principal import Principal
from core.services.project_queries import get_tender_project
from core.services.tendering.procedure import procedure_of
from core.services.validation import required_name
from core.uow import UnitOfWork

BLOCK = 1 << 20
MAX_NAME = 200
_MEDIA = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]{0,62}/[a-z0-9][a-z0-9!#$&^_.+-]{0,62}$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def _digest(stream: IO[bytes]) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    while block := stream.read(BLOCK):
        digest.update(block)
        size += len(block)
    return digest.hexdigest(), size


def _name(name: str) -> str:
    """The file name as offered: its last path part only, printable, at most 200 characters."""
    base = re.split(r"[\\/]", name or "")[-1]
    checked = required_name(base, "name", MAX_NAME)
    if checked in (".", ".."):
        raise DomainError("DOCUMENT_NAME_INVALID", "文件名无效", "not a valid file name",
                          field="name")
    return checked


def upload(uow: UnitOfWork, principal: Principal, store: ContentStore, tender_project_code: str,
           kind: str, name: str, media_type: str | None, stream: IO[bytes],
           declared_sha256: str | None = None) -> TenderDocument:
    """Store one document of the tender project; ``stream`` must be seekable (a spooled upload):
    it is hashed first, so a mismatching declared digest changes nothing, then stored."""
    tp = get_tender_project(uow, principal, tender_project_code)
    require_project_actor(principal, tp.project)
    try:
        document_kind = DocumentKind(kind)
    except ValueError:
        raise DomainError("DOCUMENT_KIND_INVALID", "文件类别须为 tender_documents 或 clarification",
                          "kind must be tender_documents or clarification", field="kind"
                          ) from None
    offered = _name(name)
    media = (media_type or "application/octet-stream").split(";")[0].strip().lower()
    if not _MEDIA.match(media):
        media = "application/octet-stream"
    sha256, size = _digest(stream)
    if size == 0:
        raise DomainError("DOCUMENT_EMPTY", "文件为空", "the file is empty", field="file")
    if declared_sha256 is not None and not hmac.compare_digest(
            declared_sha256.strip().lower(), sha256):
        raise DomainError("DOCUMENT_HASH_MISMATCH", "文件的 SHA-256 与声明的不一致（传输中损坏？）",
                          "the file's SHA-256 is not the one declared (damaged on the way?)",
                          field="sha256", sha256=sha256)
    stream.seek(0)
    if store.put(stream) != sha256:  # the stream changed between the two reads
        raise DomainError("DOCUMENT_HASH_MISMATCH", "文件在上传过程中发生变化",
                          "the file changed while it was stored", field="file")
    doc = TenderDocument(tender_project=tp, kind=document_kind.value, name=offered,
                         media_type=media, size=size, sha256=sha256,
                         uploaded_by=principal.actor, uploaded_at=uow.clock.now())
    uow.session.add(doc)
    uow.session.flush()
    uow.record(principal.actor, "tender_document.upload", "tender_document", str(doc.id), None,
               {"tender_project": tp.code, "kind": doc.kind, "name": offered, "size": size,
                "sha256": sha256})
    return doc


def documents_of(session: Session, tender_project_id: int) -> Sequence[TenderDocument]:
    """A tender project's documents, oldest first (the 招标文件, then each clarification)."""
    return session.scalars(select(TenderDocument)
                           .where(TenderDocument.tender_project_id == tender_project_id)
                           .order_by(TenderDocument.uploaded_at, TenderDocument.id)).all()


def _registrations(session: Session, principal: Principal, tp: TenderProject
                   ) -> list[tuple[Registration, Round]]:
    """The caller's registrations for the tender project's sections, oldest first."""
    if principal.party_id is None:
        return []
    return [(reg, r) for reg, r in session.execute(
        select(Registration, Round).join(Round, Round.id == Registration.round_id)
        .join(Section, Section.id == Round.section_id)
        .where(Section.tender_project_id == tp.id, Registration.party_id == principal.party_id)
        .order_by(Registration.id)).tuples()]


def _on_sale_registration(doc: TenderDocument, found: list[tuple[Registration, Round]],
                          now: datetime) -> Registration:
    """The registration under which the bidder may have this document now (module doc): a
    clarification under any; the 招标文件 within its round's sale period, or again after it when
    first obtained within it. Else the refusal of the latest round's period."""
    if doc.kind == DocumentKind.CLARIFICATION.value:
        return found[0][0]
    refusal: DomainError | None = None
    for reg, r in found:
        until = r.documents_available_until or r.bid_deadline
        if reg.documents_downloaded_at is not None and reg.documents_downloaded_at <= until:
            return reg  # obtained during the sale: its own copy again
        try:
            documents_limits.check_on_sale_now(procedure_of(r), r.documents_issued_at, until,
                                               now)
        except DomainError as err:
            refusal = err
            continue
        return reg
    assert refusal is not None
    raise refusal


def download(uow: UnitOfWork, principal: Principal, store: ContentStore,
             document_id: int) -> tuple[TenderDocument, IO[bytes]]:
    """The document's bytes for a bidder registered for one of the tender project's sections
    (or the tenderer, its agency, centre staff and supervisors). The stored bytes are checked
    against their address before they are handed out; the download is audited."""
    doc = uow.session.get(TenderDocument, document_id)
    if doc is None:
        raise not_found("招标文件", "tender document", document_id)
    tp = doc.tender_project
    now = uow.clock.now()
    registration: Registration | None = None
    if not (principal.has_oversight or acts_for_project(principal, tp.project)):
        found = _registrations(uow.session, principal, tp)
        if not found:
            raise DomainError("DOCUMENT_NOT_REGISTERED",
                              "只有已报名该招标项目的投标人可以下载招标文件",
                              "only bidders registered for this tender project may download its "
                              "documents", ErrorKind.FORBIDDEN)
        registration = _on_sale_registration(doc, found, now)
    with store.open(doc.sha256) as stored:
        actual, _ = _digest(stored)
    if not hmac.compare_digest(actual, doc.sha256):
        raise DomainError("DOCUMENT_CORRUPT", "存储的文件已损坏，请联系交易中心",
                          "the stored file is damaged; please tell the centre",
                          ErrorKind.UNAVAILABLE)
    if registration is not None and registration.documents_downloaded_at is None:
        registration.documents_downloaded_at = now
    uow.record(principal.actor, "tender_document.download", "tender_document", str(doc.id),
               None, {"tender_project": tp.code, "sha256": doc.sha256,
                      "party_id": principal.party_id})
    return doc, store.open(doc.sha256)
