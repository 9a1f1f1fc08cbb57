"""Small steps of a tender through the core's use cases, for the stages the demo does not reach
(clarification, 流标, re-tender, 终止). Keys live in the test process, as in the demo."""

from __future__ import annotations

import json
import secrets
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import select

from adapters.bidder.client import seal_file
from adapters.bootstrap import Container
from core.codes.uscc import org_code_check_char, uscc_check_char
from core.model.account import Account
from core.model.party import PartyKind
from core.sealing.keyholders import KeyholderPanel
from core.security.principal import Principal
from core.services import accounts, parties
from core.services.tendering import bids, rounds
from core.services.tendering.bids import keyholders_of
from tests.builders.rounds import configure_or_correct

AGENCY = "demo-agency"  # the demo's tender agency, which runs the demo's project


def principal(c: Container, username: str) -> Principal:
    with c.uow() as uow:
        found = uow.session.scalars(select(Account).where(Account.username == username)).one()
        return accounts.principal_of(found)


def uscc(body8: str) -> str:
    first17 = "91350100" + body8 + org_code_check_char(body8)
    return first17 + uscc_check_char(first17)


def open_round(c: Container, section_code: str, days: int = 30) -> datetime:
    """Configure a round with three keyholders and issue its documents; returns the deadline."""
    agency = principal(c, AGENCY)
    pems = [ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
        for _ in range(3)]
    deadline = c.clock.now() + timedelta(days=days)
    with c.uow() as uow:
        configure_or_correct(uow, agency, section_code, rounds.RoundSettings(
            bid_deadline=deadline, threshold=2,
            keyholders=tuple(rounds.Keyholder(f"持有人{i}", pem) for i, pem in enumerate(pems))))
        uow.commit()
    with c.uow() as uow:
        rounds.issue_documents(uow, agency, section_code)
        uow.commit()
    return deadline


def clarify(c: Container, section_code: str) -> datetime:
    """A clarification of the documents; returns the deadline after it."""
    with c.uow() as uow:
        result = rounds.clarify(uow, principal(c, AGENCY), section_code).bid_deadline
        uow.commit()
        return result


def submit_bid(c: Container, section_code: str, body8: str, name: str, price: str,
               work: Path) -> None:
    """A bidder registers and hands in a bid sealed on its side; the plaintext is deleted."""
    username = f"ocds-{body8.lower()}"
    code = uscc(body8)
    with c.uow() as uow:
        parties.register_party(uow, parties.PartyDetails(
            kind=PartyKind.ORGANISATION, name=name, uscc=code, region_code="350100",
            roles=frozenset({"bidder"})), username, secrets.token_urlsafe(24))
        uow.commit()
    bidder = principal(c, username)
    with c.uow() as uow:
        panel = keyholders_of(rounds.get_round(uow, bidder, section_code))
    assert isinstance(panel, KeyholderPanel)
    plain = work / f"{username}.json"
    plain.write_text(json.dumps({"price": str(Decimal(price)), "duration_days": 500},
                                ensure_ascii=False), encoding="utf-8")
    sealed = work / f"{username}-sealed"
    seal_file(plain, sealed, section_code, code, ec.generate_private_key(ec.SECP256R1()),
              panel.public_keys(), panel.k)
    plain.unlink()
    with c.uow() as uow:
        bids.register(uow, bidder, section_code)
        uow.commit()
    with c.uow() as uow, (sealed / "bid.sealed").open("rb") as blob:
        bids.submit_bid(uow, bidder, c.bid_store, c.signer, section_code,
                        (sealed / "envelope.json").read_bytes(), blob)
        uow.commit()
