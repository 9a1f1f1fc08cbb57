"""A tender at any stage, built through the core's use cases on a moved clock.

Service-level tests start from "a round with three opened bids" or "candidates publicised"
without going through HTTP or inserting rows: every step is the use case a person would call, so
the state a test starts from is one the checks let through. Each stage method brings the tender
to that stage from wherever it stands, and returns the builder:

    t = TenderBuilder(container, clock).at(Stage.REPORTED)

The bidders' and keyholders' private keys live in the test process (in real life each sits with
its owner), as in ``ggzy demo``; the keyholders make theirs with the keyholder tool's own
function (``ggzy-bid keyholder keygen``: encrypted private key, public key PEM), and the round is
configured with the public keys only. Nothing commits but the builder, once per step, as an
entry point does.
"""

from __future__ import annotations

import base64
import json
import shutil
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import IntEnum
from pathlib import Path
from tempfile import mkdtemp

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from adapters.bidder.client import (
    generate_keyholder_key,
    load_private_key,
    round_keys,
    seal_file,
    unwrap_dek,
    unwrap_shares,
)
from adapters.bootstrap import Container
from adapters.rest.routes.tendering import round_out
from core.clock import MovableClock
from core.codes.uscc import org_code_check_char, uscc_check_char
from core.evaluation.methods import EvaluationMethod
from core.evaluation.scoring import CriterionCategory
from core.model.account import AccountKind
from core.model.party import PartyKind
from core.model.tendering import Award, Round
from core.rules.calendar import start_of_day
from core.rules.limits import (
    CommitteeCase,
    MemberKind,
    committee_floor,
    earliest_deadline,
    publicity_end,
)
from core.sealing.envelope import Envelope
from core.security.principal import Principal
from core.services import accounts, parties, project_queries, projects
from core.services.calendar import calendar_of
from core.services.tendering import award, bids, deposits, evaluation, opening, rounds
from core.services.tendering.lifecycle import opening_ends
from core.services.tendering.procedure import procedure_of, section_procedure
from core.services.tendering.scheduler import run_due
from core.uow import UnitOfWork

PASSWORD = "a long pass phrase for tests"
KEYHOLDER_PASSPHRASE = b"a keyholder's own pass phrase"


class Stage(IntEnum):
    """The stages a builder can bring a tender to, in order."""

    SECTION = 1  # project, tender project and section exist
    ROUND = 2  # a round configured (a draft)
    ISSUED = 3  # documents issued: bidding
    BIDS = 4  # bidders registered and sealed bids submitted
    OPENED = 5  # deadline passed, every bid opened, the opening record signed
    EVALUATING = 6  # the committee assigned
    REPORTED = 7  # every member scored, the report generated and signed by all
    PUBLICISED = 8  # the candidates publicity started (政府采购: the purchaser's decision)
    AWARDED = 9  # the publicity ended and the award notice issued (政府采购: with the result)
    CONTRACTED = 10  # the contract on record


@dataclass(frozen=True)
class Domain:
    """What differs between the trading domains for building a tender."""

    domain: str
    mode: str
    owner_role: str
    agency_role: str
    bidder_role: str
    project_type: str | None


ENGINEERING = Domain("engineering", "1", "tenderer", "tender_agency", "bidder", "A02")
GOV_PROCUREMENT = Domain("gov_procurement", "public_tender", "purchaser", "procurement_agency",
                         "supplier", None)


@dataclass
class Bidder:
    principal: Principal
    uscc: str
    price: Decimal
    key: ec.EllipticCurvePrivateKey
    sealed: Path | None = None


def uscc(body8: str, region: str = "350100") -> str:
    org = body8 + org_code_check_char(body8)
    first17 = "91" + region + org
    return first17 + uscc_check_char(first17)


def pem(key: ec.EllipticCurvePrivateKey) -> str:
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo).decode()


Scores = Callable[[int, int], dict[str, Decimal]]  # (member index, bid index) -> criterion scores


def default_scores(member: int, bid: int) -> dict[str, Decimal]:
    """Distinct totals per bid, so the ranking is never a tie unless a test asks for one."""
    return {"technical": Decimal(30 + 3 * bid + member % 2), "commercial": Decimal(15 + bid)}


class TenderBuilder:
    def __init__(self, container: Container, clock: MovableClock, *,
                 kind: Domain = ENGINEERING, prices: Sequence[str] = (
                     "40180000.00", "39650000.00", "40920000.00"),
                 tag: str = "TB", deposit: str | None = None,
                 procurement_object: str | None = None, sme_deduction: str | None = None,
                 method: EvaluationMethod = EvaluationMethod.COMPREHENSIVE,
                 criteria: Sequence[evaluation.CriterionIn] | None = None) -> None:
        """``tag`` (two letters) keeps the codes of two builders in one database apart;
        ``deposit``: the round asks for one, and every bidder's arrives when it registers;
        ``procurement_object``: 政府采购's 采购对象 (default goods there, none in engineering) and
        ``sme_deduction`` its 小微企业 deduction in percent (87号令 55, 46号 9); ``method`` and
        ``criteria`` the committee's (default 综合评分: technical 40, commercial 20, price 40;
        the lowest-price methods take none)."""
        self.c = container
        self.clock = clock
        self.kind = kind
        self.prices = [Decimal(p) for p in prices]
        self.deposit = None if deposit is None else Decimal(deposit)
        self.procurement_object = procurement_object or (
            "goods" if kind.domain == "gov_procurement" else None)
        self.sme_deduction = None if sme_deduction is None else Decimal(sme_deduction)
        self.method = method
        scored = (evaluation.CriterionIn("technical", "技术方案", Decimal(40)),
                  evaluation.CriterionIn("commercial", "商务与业绩", Decimal(20),
                                         CriterionCategory.COMMERCIAL),
                  evaluation.CriterionIn("price", "投标报价", Decimal(40), CriterionCategory.PRICE))
        if criteria is not None:
            self.criteria: tuple[evaluation.CriterionIn, ...] = tuple(criteria)
        else:
            self.criteria = scored if method is EvaluationMethod.COMPREHENSIVE else ()
        self.tag = tag.upper()[:2]
        self.stage = 0
        self.work = Path(mkdtemp(prefix="ggzy-builder-"))  # sealed bids; gone with the builder
        weakref.finalize(self, shutil.rmtree, self.work, True)
        self.keyholders = [self._keyholder_key(i) for i in range(1, 4)]
        self.bidders: list[Bidder] = []
        self.experts: list[Principal] = []
        self.section_code = ""
        self.publicity_ends: datetime | None = None
        self.staff = self._account("staff", AccountKind.CENTRE_STAFF)
        self.owner = self._party("owner", "01", self.kind.owner_role, "福州市城市建设投资有限公司")
        self.agency = self._party("agency", "02", self.kind.agency_role, "福建闽江工程咨询有限公司")

    # -- units and principals ----------------------------------------------------------------

    @contextmanager
    def unit(self) -> Iterator[UnitOfWork]:
        """One step, committed as an entry point commits it."""
        with self.c.uow() as uow:
            yield uow
            uow.commit()

    def _account(self, name: str, kind: AccountKind) -> Principal:
        with self.unit() as uow:
            return accounts.principal_of(accounts.create_account(uow, None, accounts.NewAccount(
                username=f"{self.tag.lower()}-{name}", password=PASSWORD, kind=kind,
                display_name=name)))

    def _party(self, name: str, n: str, role: str, display: str) -> Principal:
        with self.unit() as uow:
            _, account = parties.register_party(uow, parties.PartyDetails(
                kind=PartyKind.ORGANISATION, name=f"{display}（{self.tag}{n}）",
                uscc=uscc(f"MA2Y{self.tag}{n}"), region_code="350100", roles=frozenset({role})),
                f"{self.tag.lower()}-{name}", PASSWORD)
            return accounts.principal_of(account)

    def _keyholder_key(self, i: int) -> ec.EllipticCurvePrivateKey:
        """Made as `ggzy-bid keyholder keygen` makes it, then read back with the passphrase."""
        key_file, public_file = self.work / f"keyholder-{i}.pem", self.work / f"keyholder-{i}.pub"
        generate_keyholder_key(key_file, public_file, KEYHOLDER_PASSPHRASE)
        return load_private_key(key_file, KEYHOLDER_PASSPHRASE)

    def round(self, uow: UnitOfWork) -> Round:
        return rounds.get_round(uow, self.agency, self.section_code)

    def keyholder_shares(self, count: int = 2) -> list[bytes]:
        """The first ``count`` keyholders' shares of every bid awaiting them, each unwrapped as
        `ggzy-bid keyholder unwrap-share` does it, for the keyholders' opening session."""
        with self.c.uow() as uow:
            awaiting = [(b.id, Envelope.from_json(b.envelope))
                        for b in opening.awaiting_keyholders(uow, self.staff, self.section_code)]
        return [base64.b64decode(s.share) for key in self.keyholders[:count]
                for s in unwrap_shares(awaiting, key)]

    # -- the stages --------------------------------------------------------------------------

    def at(self, stage: Stage) -> TenderBuilder:
        steps: dict[Stage, Callable[[], None]] = {
            Stage.SECTION: self._section, Stage.ROUND: self._round, Stage.ISSUED: self._issue,
            Stage.BIDS: self._bids, Stage.OPENED: self._open,
            Stage.EVALUATING: self._assign, Stage.REPORTED: self._report,
            Stage.PUBLICISED: self._publicise, Stage.AWARDED: self._award,
            Stage.CONTRACTED: self._contract}
        for s in Stage:
            if self.stage < s <= stage:
                steps[s]()
                self.stage = s
        return self

    def _section(self) -> None:
        platform = self.c.settings.platform
        with self.unit() as uow:
            project = projects.create_project(uow, self.agency, platform, projects.ProjectDetails(
                name="闽江北岸滨江道路提升工程", domain=self.kind.domain, region_code="350102",
                industry_code="E48", owner_party_id=self.owner.party_id,
                total_investment=Decimal("86500000.00")))
        with self.unit() as uow:
            tp = projects.create_tender_project(
                uow, self.agency, platform, project.code, projects.TenderProjectDetails(
                    name="闽江北岸滨江道路提升工程施工", tender_mode=self.kind.mode,
                    organize_form="2", tender_project_type=self.kind.project_type))
        with self.unit() as uow:
            self.section_code = projects.create_section(
                uow, self.agency, tp.code, projects.SectionDetails(
                    name="第一标段", estimated_price=Decimal("41200000.00"),
                    duration_days=540)).code

    def _round(self) -> None:
        now = self.clock.now()
        with self.unit() as uow:
            section = project_queries.get_section(uow, self.agency, self.section_code)
            earliest = earliest_deadline(section_procedure(section), calendar_of(uow), now)
            deadline = max(now + timedelta(days=30), start_of_day(earliest.day)
                           + timedelta(hours=10) if earliest else now)
            rounds.configure_round(uow, self.agency, self.section_code, rounds.RoundSettings(
                bid_deadline=deadline, threshold=2, deposit=self.deposit,
                procurement_object=self.procurement_object, sme_deduction=self.sme_deduction,
                keyholders=tuple(rounds.Keyholder(f"开标密钥持有人{i + 1}", pem(k))
                                 for i, k in enumerate(self.keyholders))))

    def _issue(self) -> None:
        with self.unit() as uow:
            rounds.issue_documents(uow, self.agency, self.section_code)

    def _bids(self) -> None:
        with self.c.uow() as uow:  # what `ggzy-bid seal` reads: the published round
            published = round_out(uow.session, self.round(uow)).model_dump()
        keys = round_keys(published)
        self.bidders = [self._bidder(i, price, keys.keys, keys.threshold)
                        for i, price in enumerate(self.prices, start=1)]

    def _bidder(self, i: int, price: Decimal, keyholder_keys: Sequence[ec.EllipticCurvePublicKey],
                threshold: int) -> Bidder:
        code = uscc(f"MA2Y{self.tag}B{i}")
        with self.unit() as uow:
            _, account = parties.register_party(uow, parties.PartyDetails(
                kind=PartyKind.ORGANISATION, name=f"投标人{i}（{self.tag}）", uscc=code,
                region_code="350100", roles=frozenset({self.kind.bidder_role})),
                f"{self.tag.lower()}-bidder-{i}", PASSWORD)
            principal = accounts.principal_of(account)
        bidder = Bidder(principal, code, price, ec.generate_private_key(ec.SECP256R1()))
        plain = self.work / f"bidder-{i}.json"
        plain.write_text(json.dumps({"price": str(price), "duration_days": 500 + i},
                                    ensure_ascii=False), encoding="utf-8")
        bidder.sealed = self.work / f"bidder-{i}-sealed"
        seal_file(plain, bidder.sealed, self.section_code, code, bidder.key, keyholder_keys,
                  threshold)
        plain.unlink()
        with self.unit() as uow:
            bids.register(uow, principal, self.section_code)
        if self.deposit is not None:
            assert principal.party_id is not None
            with self.unit() as uow:
                deposits.confirm_payment(uow, self.staff, self.section_code, principal.party_id)
        with self.unit() as uow, (bidder.sealed / "bid.sealed").open("rb") as blob:
            bids.submit_bid(uow, principal, self.c.bid_store, self.c.signer, self.section_code,
                            (bidder.sealed / "envelope.json").read_bytes(), blob)
        return bidder

    def _open(self) -> None:
        with self.c.uow() as uow:
            self.clock.set(self.round(uow).bid_deadline)
        run_due(self.c.uow, self.c.signer)
        for b in self.bidders:
            assert b.sealed is not None
            with self.unit() as uow:
                opening.hand_in_key(uow, b.principal, self.c.bid_store, self.section_code,
                                    unwrap_dek(b.sealed, b.key))
        with self.c.uow() as uow:
            self.clock.set(opening_ends(self.round(uow)))  # the decryption window is over
        with self.unit() as uow:
            opening.close_opening(uow, self.c.signer, self.section_code, self.staff)

    def _assign(self) -> None:
        with self.c.uow() as uow:  # 5 experts, or the larger committee the budget asks for
            r = self.round(uow)  # (87号令 47: 7 for a government tender of 1000万元 or more)
            floor = committee_floor(procedure_of(r), CommitteeCase(r.section.estimated_price))
        size = max(5, floor.min_members if floor else 5)
        self.experts = [self._account(f"expert-{i}", AccountKind.EXPERT)
                        for i in range(1, size + 1)]
        setup = evaluation.EvaluationSetup(
            members=tuple(evaluation.MemberIn(e.account_id, MemberKind.TECHNICAL_ECONOMIC_EXPERT,
                                              is_chair=(n == 0))
                          for n, e in enumerate(self.experts)),
            method=self.method, criteria=self.criteria)
        with self.unit() as uow:
            evaluation.assign_committee(uow, self.staff, self.section_code, setup)
        for expert in self.experts:  # no 回避 relationship declared (条例 46 第三款)
            with self.unit() as uow:
                evaluation.declare_recusal(uow, expert, self.section_code, ())

    def bid_ids(self) -> list[int]:
        """The bids in the order the bidders submitted them."""
        with self.c.uow() as uow:
            views = evaluation.list_bids(uow, self.experts[0], self.section_code)
            by_bidder = {v.bidder_identifier: v.bid_id for v in views}
        return [by_bidder[b.uscc] for b in self.bidders]

    def score(self, scores: Scores = default_scores) -> TenderBuilder:
        """Every member scores every bid (before the report)."""
        for n, expert in enumerate(self.experts):
            for k, bid_id in enumerate(self.bid_ids()):
                with self.unit() as uow:
                    evaluation.submit_scores(uow, expert, self.section_code, bid_id,
                                             scores(n, k))
        return self

    def _report(self) -> None:
        self.score()
        with self.unit() as uow:
            evaluation.generate_report(uow, self.experts[0], self.section_code)
        for expert in self.experts:
            with self.unit() as uow:
                evaluation.sign_report(uow, expert, self.section_code, True)

    @property
    def decides(self) -> bool:
        """政府采购: the purchaser decides after the report; there is no candidates publicity."""
        return self.kind.domain == "gov_procurement"

    def _publicise(self) -> None:
        if self.decides:
            with self.unit() as uow:
                award.decide(uow, self.agency, self.section_code)
            return
        with self.c.uow() as uow:
            self.publicity_ends = publicity_end(procedure_of(self.round(uow)), calendar_of(uow),
                                                self.clock.now()).ends_at
        with self.unit() as uow:
            award.start_publicity(uow, self.agency, self.section_code, self.publicity_ends)

    def end_publicity(self) -> TenderBuilder:
        """Past the publicity's end; the scheduler ends it (the award itself is not issued)."""
        assert self.publicity_ends is not None
        self.clock.set(self.publicity_ends + timedelta(seconds=1))
        run_due(self.c.uow, self.c.signer)
        return self

    def _award(self) -> None:
        if not self.decides:
            self.end_publicity()
        with self.unit() as uow:
            award.issue_award(uow, self.agency, self.section_code)

    def _contract(self) -> None:
        self.clock.advance(timedelta(days=10))
        with self.unit() as uow:
            won = uow.session.get(Award, self.round(uow).id)
            assert won is not None
            winner = award.winner_view(uow, self.round(uow), won)
            award.record_contract(uow, self.agency, self.section_code,
                                  winner.price or Decimal(0), self.clock.now())
