"""交易主体: organisations keyed by 统一社会信用代码, natural persons by 身份证号码."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db.base import Base, UTCDateTime


class PartyKind(StrEnum):
    ORGANISATION = "organisation"  # 法人或其他组织
    PERSON = "person"  # 自然人


class Party(Base):
    __tablename__ = "parties"
    __table_args__ = (
        CheckConstraint(
            "(kind = 'organisation' AND uscc IS NOT NULL AND id_number IS NULL) OR "
            "(kind = 'person' AND id_number IS NOT NULL AND uscc IS NULL)",
            name="one_identifier",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    uscc: Mapped[str | None] = mapped_column(String(18), unique=True)
    id_number: Mapped[str | None] = mapped_column(String(18), unique=True)
    region_code: Mapped[str] = mapped_column(String(6))
    legal_representative: Mapped[str | None] = mapped_column(String(50))
    contact_name: Mapped[str | None] = mapped_column(String(50))
    contact_phone: Mapped[str | None] = mapped_column(String(20))
    address: Mapped[str | None] = mapped_column(String(200))
    # 基本存款账户 as the party registered it: a deposit paid from another account is flagged for
    # the evaluators (条例 26; core.services.banking.credits)
    basic_account_no: Mapped[str | None] = mapped_column(String(64))
    basic_account_bank: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    roles: Mapped[list[PartyRole]] = relationship(
        back_populates="party", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def role_codes(self) -> frozenset[str]:
        return frozenset(r.role for r in self.roles)

    @property
    def identifier(self) -> str:
        return self.uscc or self.id_number or ""


class PartyRole(Base):
    """A role the party acts in (招标人, 投标人 …); codes from core.codes.tables 'party_role'."""

    __tablename__ = "party_roles"
    __table_args__ = (UniqueConstraint("party_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(32))

    party: Mapped[Party] = relationship(back_populates="roles")
