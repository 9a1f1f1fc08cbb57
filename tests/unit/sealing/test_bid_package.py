"""The bid package (docs/bid-package.md): built and checked by the same rules on both sides, and
every kind of bad package refused with its BID_PACKAGE_… code."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from decimal import Decimal
from typing import Any

import pytest

from core.sealing.package import (
    MANIFEST,
    SCHEDULE,
    BidPackageError,
    build_package,
    is_package,
    parse_schedule,
    read_package,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SECTION, BIDDER = "E3501000001000001001001", "91350100MA2YB0017X"
SCHEDULE_FIELDS = {"price": "40100000.00", "duration_days": 520, "quality": "合格"}


def package(**schedule: Any) -> bytes:
    out = io.BytesIO()
    build_package(out, SECTION, BIDDER, [("投标函.pdf", io.BytesIO(PDF)),
                                         ("图纸.dwg", io.BytesIO(b"\x00" * 5000))],
                  schedule or SCHEDULE_FIELDS)
    return out.getvalue()


def rebuild(original: bytes, change: Any) -> bytes:
    """The package's entries, changed by ``change(entries)``, zipped again."""
    with zipfile.ZipFile(io.BytesIO(original)) as z:
        entries = {i.filename: z.read(i) for i in z.infolist()}
    change(entries)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return out.getvalue()


def refused(data: bytes, code: str, **kw: str) -> BidPackageError:
    with pytest.raises(BidPackageError) as caught:
        read_package(io.BytesIO(data), **kw)
    assert caught.value.code == code, caught.value.message_en
    return caught.value


def test_a_package_round_trips_with_its_digests_and_schedule() -> None:
    data = package()
    assert is_package(data) and not is_package(b'{"price": "1"}')
    read = read_package(io.BytesIO(data), SECTION, BIDDER)
    assert read.schedule.price == Decimal("40100000.00")
    assert read.schedule.items == {"duration_days": 520, "quality": "合格"}
    assert [(f.name, f.size) for f in read.files] == [("documents/投标函.pdf", len(PDF)),
                                                      ("documents/图纸.dwg", 5000)]
    assert read.files[0].sha256 == hashlib.sha256(PDF).hexdigest()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        manifest = json.loads(z.read(MANIFEST))
    assert manifest["format"] == "ggzy.bid-package.v1"
    assert manifest["opening_schedule"]["name"] == SCHEDULE


def test_a_changed_document_fails_its_digest() -> None:
    def swap(entries: dict[str, bytes]) -> None:
        entries["documents/投标函.pdf"] = PDF.replace(b"1.4", b"1.7")

    refused(rebuild(package(), swap), "BID_PACKAGE_HASH_MISMATCH")


def test_a_missing_or_an_unlisted_document_is_refused() -> None:
    refused(rebuild(package(), lambda e: e.pop("documents/图纸.dwg")), "BID_PACKAGE_FILE_MISSING")
    refused(rebuild(package(), lambda e: e.update({"documents/extra.docx": b"x"})),
            "BID_PACKAGE_FILE_UNLISTED")
    refused(rebuild(package(), lambda e: e.pop(MANIFEST)), "BID_PACKAGE_NO_MANIFEST")


def test_a_package_for_another_section_or_bidder_is_refused() -> None:
    refused(package(), "BID_PACKAGE_WRONG_SECTION", section_code="E3501000001000001001002")
    refused(package(), "BID_PACKAGE_WRONG_BIDDER", bidder_id="91350100MA2YB0025X")


def test_names_that_leave_the_documents_folder_are_refused() -> None:
    for name in ("../evil.pdf", "documents/../../x", "/etc/passwd", "documents/a\\..\\b",
                 "documents/\x1bx"):
        refused(rebuild(package(), lambda e, n=name: e.update({n: b"x"})),
                "BID_PACKAGE_NAME_INVALID")
    with pytest.raises(BidPackageError) as caught:
        build_package(io.BytesIO(), SECTION, BIDDER, [("..", io.BytesIO(b"x"))],
                      SCHEDULE_FIELDS)
    assert caught.value.code == "BID_PACKAGE_NAME_INVALID"


def test_not_a_zip_and_a_bomb_are_refused() -> None:
    refused(b"PK\x03\x04 not really", "BID_PACKAGE_NOT_ZIP")

    def bomb(entries: dict[str, bytes]) -> None:  # claims 10 bytes, holds 10 MB of zeros
        manifest = json.loads(entries[MANIFEST])
        manifest["files"][1]["size"] = 10
        entries[MANIFEST] = json.dumps(manifest).encode()
        entries["documents/图纸.dwg"] = b"\x00" * 10_000_000

    refused(rebuild(package(), bomb), "BID_PACKAGE_HASH_MISMATCH")


@pytest.mark.parametrize("schedule", [
    {}, {"price": 4.01e7}, {"price": "-1"}, {"price": "12.345"}, {"price": "NaN"},
    {"price": "1", "Bad Key": "x"}, {"price": "1", "nested": {"a": 1}},
    {"price": "1", "flag": True}, {"price": True}])
def test_a_bad_opening_schedule_is_refused(schedule: dict[str, Any]) -> None:
    with pytest.raises(BidPackageError) as caught:
        parse_schedule(schedule)
    assert caught.value.code == "BID_PACKAGE_SCHEDULE_INVALID"


def test_a_schedule_without_price_inside_a_package_is_refused() -> None:
    def drop(entries: dict[str, bytes]) -> None:
        schedule = b'{"quality": "\xe5\x90\x88\xe6\xa0\xbc"}'
        entries[SCHEDULE] = schedule
        manifest = json.loads(entries[MANIFEST])
        manifest["opening_schedule"].update(size=len(schedule),
                                            sha256=hashlib.sha256(schedule).hexdigest())
        entries[MANIFEST] = json.dumps(manifest).encode()

    refused(rebuild(package(), drop), "BID_PACKAGE_SCHEDULE_INVALID")
