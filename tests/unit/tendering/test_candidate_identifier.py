"""A candidate's identifier as any signed-in reader sees it: an organisation's 统一社会信用代码
whole, a person's 身份证 number without the birth date; the events keep it whole for the
supervising platforms."""

from __future__ import annotations

from decimal import Decimal

from core.services.tendering.award import CandidateView, payload


def _view(identifier: str, person: bool) -> CandidateView:
    return CandidateView(rank=1, status="ranked", bid_id=7, party_id=3, bidder_name="张三",
                         bidder_identifier=identifier, price=Decimal("100.00"),
                         declared={"project_manager_id": "350102198001011234"},
                         bidder_is_person=person)


def test_a_persons_id_number_is_read_without_the_birth_date() -> None:
    view = _view("35010219800101123X", person=True)
    assert view.public_identifier == "350102********123X"


def test_an_organisations_credit_code_is_read_whole() -> None:
    assert _view("91350100MA2YBD023W", person=False).public_identifier == "91350100MA2YBD023W"


def test_the_event_payload_keeps_the_identifier_whole_and_names_no_view_field() -> None:
    body = payload(_view("35010219800101123X", person=True))
    assert body["bidder_identifier"] == "35010219800101123X"
    assert "bidder_is_person" not in body and body["rank"] == 1
