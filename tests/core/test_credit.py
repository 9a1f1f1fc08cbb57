"""Credit records pushed to the hub (300 违法违规, 302 黑名单, 303 撤销黑名单): stored once per
data set and record code, a different record under a held code refused, an unknown subject
refused, a withdrawal ending a blacklisting — and a blacklisted party kept from bidding."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from adapters.bootstrap import Container
from core.clock import SHANGHAI
from core.errors import ErrorKind
from core.model.account import AccountKind
from core.model.audit import AuditEntry
from core.model.credit import CreditRecord
from core.security.principal import Principal
from core.services.credit import (
    active_blacklist,
    bidding_restrictions,
    receive_credit_record,
)
from tests.api.conftest import Api, fingerprint, make_uscc
from tests.api.test_api_tendering import Tender
from tests.core.conftest import make_principal, refused

BLACKLIST_CODE = "6f1d2c3b-4a59-4e8f-9b7a-0c1d2e3f4a5b"  # 36 characters
BIDDER = make_uscc("MA2YB001")
OTHER = make_uscc("MA2YB002")


def dt14(moment: Any) -> str:
    return str(moment.astimezone(SHANGHAI).strftime("%Y%m%d%H%M%S"))


def blacklist(container: Container, body_code: str = BIDDER, **overrides: str) -> dict[str, str]:
    """A 302 record penalising ``body_code`` since an hour ago."""
    record = {
        "BLACKLIST_CODE": BLACKLIST_CODE, "BODY_NAME": "投标人一有限公司", "BODY_CODE": body_code,
        "BODY_TYPE": "1", "BODY_ROLE": "51", "RECORD_REASON": "串通投标，情节严重",
        "RECORD_DATE": dt14(container.clock.now() - timedelta(hours=1)),
        "GOVERNMENT": "福州市住房和城乡建设局", "DOCUMENT_CODE": "榕建罚〔2026〕88号",
        "REVOCATION_STATUS": "0", "CONFINED_ACTION": "01", "SCOPE": "1",
        "PLATFORM_CODE": "123500000000000001", "DATA_TIMESTAMP": "20261124093000",
    }
    record.update(overrides)
    return record


def withdrawal(container: Container, body_code: str = BIDDER, **overrides: str) -> dict[str, str]:
    record = {
        "BLACKLIST_CODE": BLACKLIST_CODE, "BODY_NAME": "投标人一有限公司", "BODY_CODE": body_code,
        "BODY_TYPE": "1", "BODY_ROLE": "51", "REVOCATIONEASONS": "已整改完毕，经申请撤销",
        "GOVERNMENT": "福州市住房和城乡建设局", "DOCUMENT_CODE": "榕建撤〔2026〕9号",
        "ROPOSER": "投标人一有限公司", "APPLICATION_DATE": dt14(container.clock.now()),
        "SCOPE": "1",
    }
    record.update(overrides)
    return record


def receive(container: Container, principal: Principal, data_set: str,
            record: dict[str, str]) -> CreditRecord:
    with container.uow() as uow:
        result = receive_credit_record(uow, principal, data_set, record)
        uow.commit()
        return result


def in_force(container: Container, party_id: int, hours: float = 0) -> list[str]:
    at = container.clock.now() + timedelta(hours=hours)
    with container.uow() as uow:
        return [r.record_code for r in active_blacklist(uow, party_id, at)]


@pytest.fixture
def bidder(api: Api) -> int:
    party_id, _ = api.register("b1", "MA2YB001", ["bidder"])
    return party_id


def test_a_blacklisting_is_stored_for_its_subject_and_in_force(
        container: Container, platform: Principal, bidder: int) -> None:
    row = receive(container, platform, "302", blacklist(container))
    assert (row.party_id, row.record_code, row.confined_action) == (bidder, BLACKLIST_CODE, "01")
    assert row.document_code == "榕建罚〔2026〕88号" and row.fields == blacklist(container)
    assert row.recorded_at == container.clock.now() - timedelta(hours=1)
    assert in_force(container, bidder) == [BLACKLIST_CODE]
    assert in_force(container, bidder, hours=-2) == []  # not before its RECORD_DATE
    with container.session_factory() as s:
        assert s.scalars(select(AuditEntry.action).where(
            AuditEntry.object_type == "credit_record")).all() == ["credit.receive"]


def test_the_same_record_again_is_a_no_op(container: Container, platform: Principal,
                                          bidder: int) -> None:
    first = receive(container, platform, "302", blacklist(container))
    before = fingerprint(container)
    again = receive(container, platform, "302",
                    blacklist(container, DATA_TIMESTAMP="20261125100000"))  # a resend
    assert again.id == first.id
    assert fingerprint(container) == before


def test_a_different_record_under_a_held_code_conflicts(
        api: Api, container: Container, platform: Principal, bidder: int) -> None:
    api.register("b2", "MA2YB002", ["bidder"])
    receive(container, platform, "302", blacklist(container))
    error = refused(container, lambda uow: receive_credit_record(
        uow, platform, "302", blacklist(container, body_code=OTHER)),
        "CREDIT_RECORD_CONFLICT", ErrorKind.CONFLICT)
    assert error.details["fields"] == ["BODY_CODE"]
    error = refused(container, lambda uow: receive_credit_record(
        uow, platform, "302", blacklist(container, RECORD_REASON="另一原因")),
        "CREDIT_RECORD_CONFLICT", ErrorKind.CONFLICT)
    assert error.details["fields"] == ["RECORD_REASON"]


def test_an_unknown_subject_is_refused_as_not_found(container: Container,
                                                    platform: Principal) -> None:
    error = refused(container, lambda uow: receive_credit_record(
        uow, platform, "302", blacklist(container)), "SUBJECT_UNKNOWN", ErrorKind.NOT_FOUND)
    assert error.details["field"] == "BODY_CODE"


@pytest.mark.parametrize(("overrides", "code", "field"), [
    ({"BLACKLIST_CODE": BLACKLIST_CODE[:-1]}, "FIELD_LENGTH_INVALID", "BLACKLIST_CODE"),
    ({"RECORD_DATE": "2026-11-24 09:30:00"}, "FIELD_DATETIME_INVALID", "RECORD_DATE"),
    ({"RECORD_DATE": "20261332093000"}, "FIELD_DATETIME_INVALID", "RECORD_DATE"),
    ({"REVOCATION_STATUS": "2"}, "FIELD_FLAG_INVALID", "REVOCATION_STATUS"),
    ({"CONFINED_ACTION": "012"}, "FIELD_TOO_LONG", "CONFINED_ACTION"),
    ({"DOCUMENT_CODE": ""}, "FIELD_REQUIRED", "DOCUMENT_CODE"),
    ({"CONFINED_START": "20261201", "CONFINED_END": "20261130"}, "CONFINED_PERIOD_INVALID",
     "CONFINED_END"),
])
def test_a_bad_blacklist_record_is_refused_with_its_code(
        container: Container, platform: Principal, bidder: int, overrides: dict[str, str],
        code: str, field: str) -> None:
    error = refused(container, lambda uow: receive_credit_record(
        uow, platform, "302", blacklist(container, **overrides)), code, ErrorKind.INVALID)
    assert error.details["field"] == field


def test_only_the_credit_data_sets_are_accepted(container: Container, platform: Principal,
                                                bidder: int) -> None:
    refused(container, lambda uow: receive_credit_record(
        uow, platform, "304", blacklist(container)), "DATA_SET_NOT_SUPPORTED")


def test_party_users_and_staff_do_not_push_credit(container: Container, bidder: int) -> None:
    staff = make_principal(container, "staff", AccountKind.CENTRE_STAFF)
    refused(container, lambda uow: receive_credit_record(
        uow, staff, "302", blacklist(container)), "ROLE_NOT_ALLOWED", ErrorKind.FORBIDDEN)


def test_a_withdrawal_ends_the_blacklisting_from_its_arrival(
        api: Api, container: Container, platform: Principal, bidder: int) -> None:
    receive(container, platform, "302", blacklist(container))
    container.clock.advance(timedelta(days=30))  # type: ignore[attr-defined]
    refused(container, lambda uow: receive_credit_record(
        uow, platform, "303", withdrawal(container, BLACKLIST_CODE="x" * 36)),
        "BLACKLIST_RECORD_UNKNOWN", ErrorKind.NOT_FOUND)
    api.register("b2", "MA2YB002", ["bidder"])
    refused(container, lambda uow: receive_credit_record(
        uow, platform, "303", withdrawal(container, body_code=OTHER)),
        "CREDIT_SUBJECT_MISMATCH", ErrorKind.CONFLICT)
    row = receive(container, platform, "303", withdrawal(container))
    with container.session_factory() as s:
        blacklisting = s.scalars(select(CreditRecord).where(
            CreditRecord.data_set == "302")).one()
    assert row.withdraws_id == blacklisting.id
    assert blacklisting.withdrawn_at == container.clock.now()
    assert in_force(container, bidder) == []
    assert in_force(container, bidder, hours=-24) == [BLACKLIST_CODE]  # it was, yesterday
    before = fingerprint(container)
    assert receive(container, platform, "303", withdrawal(container)).id == row.id
    assert fingerprint(container) == before


def test_revoked_or_expired_blacklistings_are_not_in_force(
        api: Api, container: Container, platform: Principal, bidder: int) -> None:
    receive(container, platform, "302", blacklist(container, REVOCATION_STATUS="1"))
    assert in_force(container, bidder) == []
    now = container.clock.now()
    receive(container, platform, "302", blacklist(
        container, BLACKLIST_CODE="7" * 36, CONFINED_START=dt14(now - timedelta(days=10)),
        CONFINED_END=dt14(now + timedelta(days=10))))
    assert in_force(container, bidder) == ["7" * 36]
    assert in_force(container, bidder, hours=24 * 11) == []  # the period is over


def test_a_violation_record_is_stored_but_bars_nobody(container: Container,
                                                      platform: Principal, bidder: int) -> None:
    record = {"VIOLATING_CODE": "V2026000123", "VIOLATING_NAME": "未按规定提交投标保证金",
              "VIOLATING_TIME": "20261101100000", "VIOLATING_TYPE": "1",
              "BODY_NAME": "投标人一有限公司", "BODY_CODE": BIDDER.lower(), "BODY_TYPE": "1",
              "BODY_ROLE": "51", "GOVERNMENT": "福州市住房和城乡建设局",
              "CONFINED_ACTION": "01"}
    row = receive(container, platform, "300", record)
    assert (row.data_set, row.party_id, row.reason) == ("300", bidder, "未按规定提交投标保证金")
    assert in_force(container, bidder) == []
    refused(container, lambda uow: receive_credit_record(
        uow, platform, "300", {**record, "VIOLATING_TIME": ""}), "FIELD_REQUIRED")


def test_a_blacklisted_bidder_cannot_register_until_withdrawn(
        api: Api, container: Container, platform: Principal) -> None:
    t = Tender(api)
    t.issue()
    headers, uscc, _ = t.bidder("b1", "MA2YB001")
    receive(container, platform, "302", blacklist(container, body_code=uscc))
    url = f"/api/v1/sections/{t.section}/registration"
    problem = api.unchanged_after("POST", url, 403, "BIDDER_BLACKLISTED", headers=headers)
    assert "榕建罚〔2026〕88号" in problem["message_zh"]
    receive(container, platform, "303", withdrawal(container, body_code=uscc))
    r = api.client.post(url, headers=headers)
    assert r.status_code == 200, r.text


def test_a_party_blacklisted_after_registering_cannot_bid(
        api: Api, container: Container, platform: Principal, tmp_path: Path) -> None:
    t = Tender(api)
    t.issue()
    headers, uscc, key = t.bidder("b1", "MA2YB001")
    assert api.client.post(f"/api/v1/sections/{t.section}/registration",
                           headers=headers).status_code == 200
    receive(container, platform, "302", blacklist(container, body_code=uscc))
    sealed = t.seal(tmp_path, uscc, key)
    before = fingerprint(container)
    r = t.submit(headers, sealed)
    assert r.status_code == 403 and r.json()["code"] == "BIDDER_BLACKLISTED", r.text
    assert fingerprint(container) == before


def test_a_restriction_that_leaves_bidding_free_does_not_bar(
        container: Container, platform: Principal, bidder: int) -> None:
    receive(container, platform, "302", blacklist(container, CONFINED_ACTION="09"))
    with container.uow() as uow:
        now = container.clock.now()
        assert [r.record_code for r in bidding_restrictions(uow, bidder, now)] == [
            BLACKLIST_CODE]  # D1007 unknown: every restriction bars by default
        assert bidding_restrictions(uow, bidder, now, exempt=frozenset({"09"})) == []
