"""User accounts and their bearer tokens.

Only a digest of each token is stored: a copy of the database gives nobody a working session.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db.base import Base, UTCDateTime
from core.model.party import Party


class AccountKind(StrEnum):
    PARTY_USER = "party_user"  # acts for one 交易主体
    CENTRE_STAFF = "centre_staff"  # 交易中心工作人员: reviews notices, runs openings
    SUPERVISOR = "supervisor"  # 行政监督: reads everything, audits
    EXPERT = "expert"  # 评标专家
    ADMIN = "admin"  # 系统管理员: accounts, configuration
    SYSTEM_CLIENT = "system_client"  # a connected system calling the API


#: The kinds an operator creates with `ggzy account create` (a party user comes with its party,
#: through registration or the REST API). README and docs/cli.md name exactly these.
OPERATOR_KINDS: tuple[AccountKind, ...] = (
    AccountKind.CENTRE_STAFF, AccountKind.SUPERVISOR, AccountKind.EXPERT, AccountKind.ADMIN,
    AccountKind.SYSTEM_CLIENT)


class Account(Base):
    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    display_name: Mapped[str] = mapped_column(String(100))
    party_id: Mapped[int | None] = mapped_column(ForeignKey("parties.id"), index=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # set by an administrator's reset: the account may only change its password until it does
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=false())

    party: Mapped[Party | None] = relationship(lazy="selectin")


class ApiToken(Base):
    __tablename__ = "api_tokens"

    token_digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    account: Mapped[Account] = relationship(lazy="joined")
