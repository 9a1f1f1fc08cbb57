"""Tender documents (issue 10 §3): the tenderer or its agency uploads the 招标文件 and each
clarification; they are stored by SHA-256; registered bidders download them (audited), others
are refused with a code; a published notice lists them in its public JSON."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from adapters.rest.app import create_app
from core.clock import MovableClock
from core.model.account import AccountKind
from core.model.audit import AuditEntry
from core.model.tendering import Registration
from core.rules.calendar import beijing_date, end_of_day
from tests.api.conftest import Api
from tests.api.test_api_missing_limits import round_body, section
from tests.api.test_api_tendering import Tender

PDF = b"%PDF-1.4\n% \xe6\x8b\x9b\xe6\xa0\x87\xe6\x96\x87\xe4\xbb\xb6\n" + b"0" * 4000 + b"\n%%EOF\n"


def upload(api: Api, headers: dict[str, str], tp: str, data: bytes = PDF,
           name: str = "滨江道路招标文件.pdf", **form: str) -> Any:
    return api.client.post(f"/api/v1/tender-projects/{tp}/documents", headers=headers,
                           files={"file": (name, data, "application/pdf")}, data=form)


def tender_project(api: Api, t: Tender) -> str:
    return str(api.client.get(f"/api/v1/sections/{t.section}",
                              headers=t.owner).json()["tender_project_code"])


def test_the_agency_uploads_and_the_file_is_stored_by_its_sha256(api: Api) -> None:
    t = Tender(api)
    tp = tender_project(api, t)
    r = upload(api, t.owner, tp, sha256=hashlib.sha256(PDF).hexdigest())
    assert r.status_code == 201, r.text
    doc = r.json()
    assert doc["sha256"] == hashlib.sha256(PDF).hexdigest() and doc["size"] == len(PDF)
    assert doc["kind"] == "tender_documents" and doc["name"] == "滨江道路招标文件.pdf"
    assert doc["uploaded_at"].endswith("+08:00")
    stored = api.container.file_store.path_of(doc["sha256"])
    assert stored.read_bytes() == PDF
    assert stored.is_relative_to(api.container.settings.var_dir / "files")
    clarified = upload(api, t.owner, tp, data=b"%PDF-1.4 clarification 1", kind="clarification",
                       name="C:\\fakepath\\澄清一.pdf")
    assert clarified.status_code == 201 and clarified.json()["name"] == "澄清一.pdf"
    listed = api.client.get(f"/api/v1/tender-projects/{tp}/documents", headers=t.owner).json()
    assert [d["kind"] for d in listed] == ["tender_documents", "clarification"]


def test_bad_uploads_are_refused_and_change_nothing(api: Api) -> None:
    t = Tender(api)
    tp = tender_project(api, t)
    url = f"/api/v1/tender-projects/{tp}/documents"

    def refused(status: int, code: str, headers: dict[str, str], data: bytes = PDF,
                **form: str) -> None:
        api.unchanged_after("POST", url, status, code, headers=headers,
                            files={"file": ("a.pdf", data, "application/pdf")}, data=form)

    refused(422, "DOCUMENT_HASH_MISMATCH", t.owner, sha256="0" * 64)
    refused(422, "DOCUMENT_KIND_INVALID", t.owner, kind="contract")
    refused(422, "DOCUMENT_EMPTY", t.owner, data=b"")
    staff = api.account("staff", AccountKind.CENTRE_STAFF)
    refused(403, "NOT_PROJECT_OWNER", staff)  # the centre reads the project, but does not author
    _, bidder = api.register("bidder", "MA2YB001", ["bidder"])
    refused(404, "TENDER_PROJECT_NOT_FOUND", bidder)  # nor does anyone else see it
    files = api.container.settings.var_dir / "files"
    assert not [p for p in files.rglob("*") if p.is_file()]  # nothing stored either


def test_an_upload_over_the_size_limit_is_refused(api: Api) -> None:
    t = Tender(api)
    tp = tender_project(api, t)
    small = dataclasses.replace(api.container, settings=dataclasses.replace(
        api.container.settings, max_document_bytes=2048))
    with TestClient(create_app(small)) as client:
        r = client.post(f"/api/v1/tender-projects/{tp}/documents", headers=t.owner,
                        files={"file": ("a.pdf", PDF, "application/pdf")})
        assert r.status_code == 413 and r.json()["code"] == "BODY_TOO_LARGE"
        ok = client.post(f"/api/v1/tender-projects/{tp}/documents", headers=t.owner,
                         files={"file": ("a.pdf", b"%PDF-1.4 small", "application/pdf")})
        assert ok.status_code == 201, ok.text


def test_a_registered_bidder_downloads_and_the_download_is_audited(api: Api) -> None:
    t = Tender(api)
    t.issue()
    doc = upload(api, t.owner, tender_project(api, t)).json()
    party_id, bidder = api.register("bidder", "MA2YB001", ["bidder"])
    url = f"/api/v1/tender-documents/{doc['id']}/content"
    api.unchanged_after("GET", url, 403, "DOCUMENT_NOT_REGISTERED", headers=bidder)
    assert api.client.get(url).status_code == 401
    assert api.client.post(f"/api/v1/sections/{t.section}/registration",
                           headers=bidder).status_code == 200
    r = api.client.get(url, headers=bidder)
    assert r.status_code == 200, r.text
    assert r.content == PDF
    assert hashlib.sha256(r.content).hexdigest() == doc["sha256"]
    assert r.headers["repr-digest"] == \
        f"sha-256=:{base64.b64encode(hashlib.sha256(PDF).digest()).decode()}:"
    assert "filename*=UTF-8''" in r.headers["content-disposition"]
    with api.container.session_factory() as s:
        reg = s.scalars(select(Registration).where(Registration.party_id == party_id)).one()
        assert reg.documents_downloaded_at is not None
        downloads = s.scalars(select(AuditEntry).where(
            AuditEntry.action == "tender_document.download")).all()
    assert len(downloads) == 1 and downloads[0].actor.endswith("bidder")


def test_a_damaged_stored_file_is_not_handed_out(api: Api) -> None:
    t = Tender(api)
    t.issue()
    doc = upload(api, t.owner, tender_project(api, t)).json()
    path: Path = api.container.file_store.path_of(doc["sha256"])
    path.chmod(0o640)
    path.write_bytes(PDF.replace(b"%%EOF", b"%%EOX"))
    r = api.client.get(f"/api/v1/tender-documents/{doc['id']}/content", headers=t.owner)
    assert r.status_code == 503 and r.json()["code"] == "DOCUMENT_CORRUPT"


def test_a_published_notice_lists_its_documents(api: Api) -> None:
    t = Tender(api)
    tp = tender_project(api, t)
    doc = upload(api, t.owner, tp).json()
    n = api.notice(t.owner, tp, [t.section])
    assert api.client.post(f"/api/v1/notices/{n['id']}/submit",
                           headers=t.owner).status_code == 200
    staff = api.account("staff", AccountKind.CENTRE_STAFF)
    assert api.client.post(f"/api/v1/notices/{n['id']}/approve",
                           headers=staff).status_code == 200
    public = api.client.get(f"/api/v1/public/notices/{n['id']}")
    assert public.status_code == 200, public.text
    [listed] = public.json()["documents"]
    assert {k: listed[k] for k in ("name", "size", "sha256", "uploaded_at")} == {
        k: doc[k] for k in ("name", "size", "sha256", "uploaded_at")}
    assert listed["download_path"] == f"/api/v1/tender-documents/{doc['id']}/content"
    page = api.client.get(f"/notices/{n['id']}")  # and the portal's notice page shows them
    assert page.status_code == 200
    assert doc["name"] in page.text and doc["sha256"] in page.text
    assert f'href="/api/v1/tender-documents/{doc["id"]}/content"' in page.text


@pytest.mark.parametrize("start", ["moved", "real"])
def test_reg_16_the_documents_are_obtained_only_during_their_sale(
        api: Api, clock: MovableClock, start: str) -> None:
    """条例 16: registering (the purchase) and the first download of the 招标文件 are refused
    after the sale period's end, each a problem+json that changes nothing; a copy obtained during
    it can be fetched again, and a clarification reaches every registered bidder. On a moved
    clock and on the machine's real date."""
    if start == "real":
        clock.set(datetime.now(UTC))
    owner, code = section(api)
    until = end_of_day(beijing_date(clock.now()) + timedelta(days=14))  # ≥ 5 日 with any holiday
    url = f"/api/v1/sections/{code}/rounds"
    made = api.client.post(url, headers=owner, json=round_body(
        api, documents_available_until=until.isoformat()))
    assert made.status_code == 201, made.text
    _, early_headers = api.register("early", "MA2YB001", ["bidder"])
    tp = tender_project_of(api, owner, code)
    doc = upload(api, owner, tp).json()
    content = f"/api/v1/tender-documents/{doc['id']}/content"
    registration = f"/api/v1/sections/{code}/registration"
    api.unchanged_after("POST", registration, 404, "ROUND_NOT_FOUND",  # a draft is not on sale
                        headers=early_headers)
    issued = api.client.post(f"{url}/current/issue", headers=owner)
    assert issued.status_code == 200, issued.text
    _, late_headers = api.register("late", "MA2YB002", ["bidder"])
    _, idle_headers = api.register("idle", "MA2YB003", ["bidder"])
    for headers in (early_headers, idle_headers):
        assert api.client.post(registration, headers=headers).status_code == 200
    assert api.client.get(content, headers=early_headers).status_code == 200
    clock.set(until)  # the last instant is still on sale
    assert api.client.get(content, headers=api.token("early")).status_code == 200
    clock.set(until + timedelta(seconds=1))
    early_headers, late_headers, idle_headers, owner = (
        api.token(n) for n in ("early", "late", "idle", "owner"))
    problem = api.unchanged_after("POST", registration, 409, "DOCUMENTS_NOT_ON_SALE_REG_16",
                                  headers=late_headers)
    assert "第十六条" in problem["message_zh"]
    api.unchanged_after("GET", content, 409, "DOCUMENTS_NOT_ON_SALE_REG_16", headers=idle_headers)
    again = api.client.get(content, headers=early_headers)  # its own copy, obtained in time
    assert again.status_code == 200 and again.content == PDF
    assert api.client.post(registration, headers=early_headers).status_code == 200  # no news
    clarification = upload(api, owner, tp, data=b"%PDF-1.4 clarification", kind="clarification",
                           name="澄清.pdf").json()
    got = api.client.get(f"/api/v1/tender-documents/{clarification['id']}/content",
                         headers=idle_headers)
    assert got.status_code == 200, got.text
    assert api.client.get(content, headers=owner).status_code == 200  # the tenderer, always


def tender_project_of(api: Api, headers: dict[str, str], section_code: str) -> str:
    return str(api.client.get(f"/api/v1/sections/{section_code}",
                              headers=headers).json()["tender_project_code"])
