"""`ggzy demo`, second part: a sample tender driven through its lifecycle on a moved clock.

Everything goes through the same use cases a person would use; only time is moved, and the
bidders' and keyholders' private keys live in this process for the length of the demo (in real
life each sits with its owner). The keyholders play their own part with the keyholder tool's
functions (adapters.bidder.client, what ``ggzy-bid keyholder`` runs on their machines): each
makes its key pair, the round is configured with their public keys only, bidders share their
data keys among them, and two of them unwrap their shares of the bid whose bidder did not open
it.
"""

from __future__ import annotations

import base64
import json
import secrets
import tempfile
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import select

from adapters.bidder.client import (
    generate_key,
    generate_keyholder_key,
    load_private_key,
    public_pem,
    seal_file,
    unwrap_dek,
    unwrap_shares,
)
from adapters.bootstrap import Container
from core.clock import MovableClock
from core.evaluation.methods import EvaluationMethod
from core.evaluation.scoring import CriterionCategory
from core.model.account import Account, AccountKind
from core.model.notice import Notice
from core.model.party import PartyKind
from core.rules.calendar import start_of_day
from core.rules.limits import MemberKind, earliest_deadline, publicity_end
from core.sealing.envelope import Envelope
from core.sealing.keyholders import KeyholderPanel
from core.security.principal import Principal
from core.services import accounts, parties
from core.services.calendar import calendar_of
from core.services.lifecycle_notices import label
from core.services.project_queries import get_section
from core.services.tendering import award, bids, deposits, evaluation, opening, rounds
from core.services.tendering.procedure import procedure_of, section_procedure
from core.services.tendering.scheduler import run_due

BIDDERS = (("MA2YBD01", "福建榕城市政工程有限公司", "40180000.00", 520, "陈建国"),
           ("MA2YBD02", "闽江路桥建设集团有限公司", "39650000.00", 540, "王立新"),
           ("MA2YBD03", "海峡建工集团有限公司", "40920000.00", 500, "刘海波"))


def sample_id_number(n: int) -> str:
    """A well-formed 公民身份号码 for sample data (GB 11643 check character computed)."""
    first17 = f"350102198{n}0101{100 + n:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights,
                                                                   strict=True)) % 11]


@dataclass
class Bidder:
    username: str
    uscc: str
    key: ec.EllipticCurvePrivateKey
    sealed: Path | None = None


def _keyholder(work: Path, i: int) -> ec.EllipticCurvePrivateKey:
    """Keyholder ``i`` makes its key pair on "its machine" (here a temporary folder), as
    ``ggzy-bid keyholder keygen`` does, and keeps its passphrase to itself."""
    passphrase = secrets.token_urlsafe(24).encode()
    generate_keyholder_key(work / f"keyholder-{i}.pem", work / f"keyholder-{i}.pub.pem",
                           passphrase)
    return load_private_key(work / f"keyholder-{i}.pem", passphrase)


def _principal(c: Container, username: str) -> Principal:
    with c.uow() as uow:
        found = uow.session.scalars(select(Account).where(Account.username == username)).one()
        return accounts.principal_of(found)


@dataclass
class PreparedRound:
    """A round configured before its notice is published, so the notice states its deadlines."""

    section_code: str
    deadline: datetime
    keyholders: list[ec.EllipticCurvePrivateKey]


def prepare_round(c: Container, section_code: str, agency_username: str,
                  deposit: Decimal = Decimal("800000.00"), *,
                  procurement_object: str | None = None,
                  sme_deduction: Decimal | None = None) -> PreparedRound:
    """``procurement_object`` and ``sme_deduction``: 政府采购's 采购对象 and 小微企业 price
    deduction in percent (87号令 55, 财库〔2020〕46号 9); an engineering round takes neither."""
    agency = _principal(c, agency_username)
    work = Path(tempfile.mkdtemp(prefix="ggzy-demo-keyholders-"))
    keyholders = [_keyholder(work, i) for i in range(1, 4)]
    now = c.clock.now()
    with c.uow() as uow:
        # 30 days out, or later where the (possibly provisional) calendar asks for more (法 24)
        section = get_section(uow, agency, section_code)
        procedure = section_procedure(section)
        earliest = earliest_deadline(procedure, calendar_of(uow), now)
        deadline = max(now + timedelta(days=30),
                       start_of_day(earliest.day) + timedelta(hours=10) if earliest else now)
        rounds.configure_round(uow, agency, section_code, rounds.RoundSettings(
            bid_deadline=deadline, threshold=2, deposit=deposit,
            procurement_object=procurement_object, sme_deduction=sme_deduction,
            keyholders=tuple(rounds.Keyholder(f"开标密钥持有人{i + 1}", public_pem(k.public_key()))
                             for i, k in enumerate(keyholders))))
        uow.commit()
    return PreparedRound(section_code, deadline, keyholders)


def run_lifecycle(c: Container, clock: MovableClock, prepared: PreparedRound,
                  agency_username: str, staff_username: str) -> Iterator[str]:
    """Drive the prepared round from its documents to the contract on ``clock`` (the clock of
    ``c``), which it moves past every deadline."""
    offers = [(body8, name, {"price": price, "duration_days": days, "quality": "合格",
                             "bidder": name, "project_manager": manager,
                             "project_manager_id": sample_id_number(i)})
              for i, (body8, name, price, days, manager) in enumerate(BIDDERS, start=1)]
    bidders = yield from bid_and_open(c, clock, prepared, agency_username, staff_username,
                                      offers, "demo-bidder", "bidder")
    yield from _evaluate_and_award(c, clock, prepared.section_code,
                                   _principal(c, agency_username), _principal(c, staff_username),
                                   bidders)


def bid_and_open(c: Container, clock: MovableClock, prepared: PreparedRound,
                 agency_username: str, staff_username: str,
                 offers: Sequence[tuple[str, str, dict[str, object]]], username_prefix: str,
                 role: str) -> Generator[str, None, list[Bidder]]:
    """Documents issued, one sealed bid per offer ``(body8 of its USCC, name, its bid's 开标一览表
    with the price)`` by a party of ``role`` registering as ``<username_prefix>-<n>``, the deadline
    reached, two bidders hand in their keys and the keyholders open the third, and the signed
    opening record; returns the bidders."""
    from adapters.demo import sample_uscc

    section_code, deadline, keyholders = (prepared.section_code, prepared.deadline,
                                          prepared.keyholders)
    agency = _principal(c, agency_username)
    staff = _principal(c, staff_username)
    with c.uow() as uow:
        rounds.issue_documents(uow, agency, section_code)
        uow.commit()
    yield f"round 1 of {section_code}: documents issued, deadline {deadline:%Y-%m-%d %H:%M} UTC"
    work = Path(tempfile.mkdtemp(prefix="ggzy-demo-bids-"))
    bidders: list[Bidder] = []
    with c.uow() as uow:  # what `ggzy-bid seal` reads: the keyholders' published public keys
        panel = bids.keyholders_of(rounds.get_round(uow, agency, section_code))
    assert isinstance(panel, KeyholderPanel)
    for i, (body8, name, declared) in enumerate(offers, start=1):
        username = f"{username_prefix}-{i}"
        uscc = sample_uscc(body8)
        with c.uow() as uow:
            parties.register_party(uow, parties.PartyDetails(
                kind=PartyKind.ORGANISATION, name=name, uscc=uscc, region_code="350100",
                roles=frozenset({role})), username, secrets.token_urlsafe(24))
            uow.commit()
        b = Bidder(username, uscc, generate_key(work / f"{username}.pem"))  # on its side
        plain = work / f"{username}.json"
        plain.write_text(json.dumps(declared, ensure_ascii=False), encoding="utf-8")
        b.sealed = work / f"{username}-sealed"
        seal_file(plain, b.sealed, section_code, uscc, b.key, panel.public_keys(), panel.k)
        plain.unlink()  # the plaintext stays on the bidder's side only
        principal = _principal(c, username)
        with c.uow() as uow:
            bids.register(uow, principal, section_code)
            uow.commit()
        with c.uow() as uow, (b.sealed / "bid.sealed").open("rb") as blob:
            bids.submit_bid(uow, principal, c.bid_store, c.signer, section_code,
                            (b.sealed / "envelope.json").read_bytes(), blob)
            uow.commit()
        bidders.append(b)
        clock.advance(timedelta(days=2))
    yield (f"{len(bidders)} sealed bids received with signed receipts (ciphertext only, under "
           f"{c.bid_store.root})")
    clock.set(deadline)
    run_due(c.uow, c.signer)
    for b in bidders[:2]:
        assert b.sealed is not None
        with c.uow() as uow:
            opened = opening.hand_in_key(uow, _principal(c, b.username), c.bid_store,
                                         section_code, unwrap_dek(b.sealed, b.key))
            uow.commit()
        yield f"  {b.username} handed in its key: price {opened.price}"
    clock.advance(timedelta(minutes=61))
    with c.uow() as uow:  # what `ggzy-bid keyholder unwrap-share` fetches
        awaiting = [(b.id, Envelope.from_json(b.envelope))
                    for b in opening.awaiting_keyholders(uow, staff, section_code)]
    shares = [base64.b64decode(s.share) for key in keyholders[:2]  # each on its own machine
              for s in unwrap_shares(awaiting, key)]
    with c.uow() as uow:
        opening.committee_open(uow, staff, c.bid_store, section_code, shares)
        uow.commit()
    yield f"  {bidders[2].username} did not: 2 of 3 keyholders opened its bid"
    with c.uow() as uow:
        opening.close_opening(uow, c.signer, section_code, staff)
        uow.commit()
    yield ("opening record signed and published: "
           f"/api/v1/public/sections/{section_code}/opening-record")
    return bidders



def confirm_deposits(c: Container, staff: Principal, section_code: str,
                     bidders: list[Bidder]) -> None:
    """Staff confirm each bidder's deposit by hand: the banks' arrival notices come in a
    later issue."""
    for b in bidders:
        party_id = _principal(c, b.username).party_id
        assert party_id is not None
        with c.uow() as uow:
            deposits.confirm_payment(uow, staff, section_code, party_id)
            uow.commit()


def seat_committee(c: Container, staff: Principal, section_code: str,
                   method: str, criteria: tuple[evaluation.CriterionIn, ...], *,
                   username: str, title: str) -> list[Principal]:
    """Five expert accounts (条例 / 87号令 47: five or more below 1000万元), assigned with
    ``method`` and ``criteria``, the first the chair; each declares no 回避 relationship
    before evaluating (条例 46, 政采条例 9)."""
    experts = []
    for i in range(1, 6):
        with c.uow() as uow:
            account = accounts.create_account(uow, None, accounts.NewAccount(
                username=f"{username}-{i}", password=secrets.token_urlsafe(24),
                kind=AccountKind.EXPERT, display_name=f"{title}{i}"))
            experts.append(accounts.principal_of(account))
            uow.commit()
    members = tuple(evaluation.MemberIn(e.account_id, MemberKind.TECHNICAL_ECONOMIC_EXPERT,
                                        is_chair=(n == 0)) for n, e in enumerate(experts))
    with c.uow() as uow:
        evaluation.assign_committee(uow, staff, section_code,
                                    evaluation.EvaluationSetup(members, method, criteria))
        uow.commit()
    for expert in experts:
        with c.uow() as uow:
            evaluation.declare_recusal(uow, expert, section_code, ())
            uow.commit()
    return experts


def score_and_sign(c: Container, section_code: str, experts: list[Principal],
                   bid_ids: list[int], scores: Callable[[int, int], dict[str, Decimal]]) -> None:
    """Every member scores every bid (``scores(member index, bid index)``), the chair makes the
    report and all sign it."""
    for n, expert in enumerate(experts):
        for k, bid_id in enumerate(bid_ids):
            with c.uow() as uow:
                evaluation.submit_scores(uow, expert, section_code, bid_id, scores(n, k))
                uow.commit()
    with c.uow() as uow:
        evaluation.generate_report(uow, experts[0], section_code)
        uow.commit()
    for expert in experts:
        with c.uow() as uow:
            evaluation.sign_report(uow, expert, section_code, True)
            uow.commit()

def _evaluate_and_award(c: Container, clock: MovableClock, section_code: str,
                        agency: Principal, staff: Principal,
                        bidders: list[Bidder]) -> Iterator[str]:
    confirm_deposits(c, staff, section_code, bidders)
    experts = seat_committee(
        c, staff, section_code, EvaluationMethod.COMPREHENSIVE,
        (evaluation.CriterionIn("technical", "技术方案", Decimal(40)),
         evaluation.CriterionIn("commercial", "商务与业绩", Decimal(20),
                                CriterionCategory.COMMERCIAL),
         evaluation.CriterionIn("price", "投标报价", Decimal(40), CriterionCategory.PRICE)),
        username="demo-expert", title="评标专家")
    with c.uow() as uow:
        bid_ids = [v.bid_id for v in evaluation.list_bids(uow, experts[0], section_code)]
    score_and_sign(c, section_code, experts, bid_ids, lambda n, k: {
        "technical": Decimal(32 + (k + n) % 5), "commercial": Decimal(15 + k)})
    yield "evaluation: 5 experts scored (综合评分法), report signed by all"
    with c.uow() as uow:  # the shortest publicity the law allows from now (条例 54, holidays too)
        ends = publicity_end(procedure_of(rounds.get_round(uow, agency, section_code)),
                             calendar_of(uow), clock.now()).ends_at
    with c.uow() as uow:
        award.start_publicity(uow, agency, section_code, ends)
        uow.commit()
    clock.set(ends + timedelta(seconds=1))
    run_due(c.uow, c.signer)
    with c.uow() as uow:
        won = award.issue_award(uow, agency, section_code)
        uow.commit()
    with c.uow() as uow:
        winner = award.winner_view(uow, rounds.get_round(uow, agency, section_code), won)
    yield f"candidates publicised until {ends:%Y-%m-%d}; award notice to {winner.bidder_name}"
    clock.advance(timedelta(days=10))
    with c.uow() as uow:
        award.record_contract(uow, agency, section_code, winner.price or Decimal(0), clock.now())
        uow.commit()
    yield "contract recorded; deposits fall due for refund within 5 days (条例 57)"
    clock.advance(timedelta(days=1))
    for b in bidders:  # within those 5 days, with the 银行同期存款利息; and the 法 47 report
        party_id = _principal(c, b.username).party_id
        assert party_id is not None
        with c.uow() as uow:
            deposits.mark_refunded(uow, staff, section_code, party_id)
            uow.commit()
    with c.uow() as uow:
        award.record_award_report(uow, agency, section_code)
        uow.commit()
    yield f"{len(bidders)} deposits refunded; written report on the tender recorded (法 47)"
    with c.uow() as uow:
        r = rounds.get_round(uow, agency, section_code)
        for step in uow.session.scalars(select(Notice).where(Notice.round_id == r.id)
                                        .order_by(Notice.published_at, Notice.id)):
            yield f"portal page     /notices/{step.id}  {label(step.notice_type, 'engineering')}"
