"""What the portal's pages read: the openings of a Beijing day, on the test clock and on the
machine's real date, and a notice with its dates, parties and related notices."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from core.clock import SHANGHAI
from core.errors import DomainError
from core.model.account import AccountKind
from core.model.tendering import Round
from core.services import portal
from tests.api.conftest import Api
from tests.api.test_api_tendering import Tender


def _set_deadline(api: Api, section: str, at: datetime) -> None:
    with api.container.session_factory() as s:
        r = s.scalars(select(Round).join(Round.section)
                      .where(Round.section.has(code=section))).one()
        r.bid_deadline = at
        r.next_check = None  # the scheduler leaves it alone
        s.commit()


@pytest.mark.parametrize("day", [date(2026, 12, 24), datetime.now(SHANGHAI).date()],
                         ids=["test-clock", "real-date"])
def test_openings_of_a_beijing_day(api: Api, day: date) -> None:
    t = Tender(api)
    t.issue()
    midnight = datetime(day.year, day.month, day.day, tzinfo=SHANGHAI)
    with api.container.uow() as uow:
        assert portal.openings_on(uow, day) == []
    for at, listed in ((midnight, True), (midnight + timedelta(hours=23, minutes=59,
                                                                seconds=59), True),
                       (midnight + timedelta(days=1), False),
                       (midnight - timedelta(seconds=1), False)):
        _set_deadline(api, t.section, at)
        with api.container.uow() as uow:
            found = [o.section.code for o in portal.openings_on(uow, day)]
        assert found == ([t.section] if listed else []), at
    # a draft round is not announced yet, so not listed
    with api.container.session_factory() as s:
        r = s.scalars(select(Round)).one()
        r.status = "draft"
        r.bid_deadline = midnight
        s.commit()
    with api.container.uow() as uow:
        assert portal.openings_on(uow, day) == []


def test_a_notice_with_its_schedule_parties_and_related_notices(api: Api) -> None:
    t = Tender(api)
    t.issue()
    staff = api.account("staff", AccountKind.CENTRE_STAFF)
    with api.container.session_factory() as s:
        tp_code = s.scalars(select(Round)).one().section.tender_project.code
    n = api.notice(t.owner, tp_code, [t.section])
    for action, who in (("submit", t.owner), ("approve", staff)):
        r = api.client.post(f"/api/v1/notices/{n['id']}/{action}", headers=who)
        assert r.status_code == 200, r.text
    with api.container.uow() as uow:
        d = portal.notice_detail(uow, n["id"])
        assert d.label == "招标公告" and d.tenderer.name == "owner 有限公司"
        assert d.agency is None and d.related == []
        (s,) = d.schedules
        assert s.section.code == t.section
        assert s.bid_deadline == t.deadline and s.documents_until == t.deadline
        assert s.documents_from is not None and s.documents_from < t.deadline
    with pytest.raises(DomainError) as missing, api.container.uow() as uow:
        portal.notice_detail(uow, n["id"] + 100)
    assert missing.value.code == "NOTICE_NOT_FOUND"
