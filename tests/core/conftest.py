"""Fixtures for the service-level tests of pushed records and supervision instructions.

The REST fixtures (``api``, ``client``) come from tests/api so that these tests can build
parties, projects and rounds the way a user does, and then call the use cases directly as the
SOAP endpoints will.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from adapters.bootstrap import Container
from core.errors import DomainError, ErrorKind
from core.model.account import AccountKind
from core.security.principal import Principal
from core.services.accounts import NewAccount, create_account, principal_of
from core.uow import UnitOfWork
from tests.api.conftest import PASSWORD, api, client, fingerprint  # noqa: F401  (fixtures)


def make_principal(container: Container, username: str, kind: AccountKind) -> Principal:
    with container.uow() as uow:
        account = create_account(uow, None, NewAccount(
            username=username, password=PASSWORD, kind=kind, display_name=username))
        uow.commit()
        return principal_of(account)


@pytest.fixture
def platform(container: Container) -> Principal:
    """The provincial platform, signed in as a connected system."""
    return make_principal(container, "fj-platform", AccountKind.SYSTEM_CLIENT)


def refused(container: Container, call: Callable[[UnitOfWork], Any], code: str,
            kind: ErrorKind | None = None) -> DomainError:
    """Run a use case that must be refused: its code (and kind), and nothing changed."""
    before = fingerprint(container)
    with pytest.raises(DomainError) as caught, container.uow() as uow:
        call(uow)
    assert caught.value.code == code, (caught.value.code, caught.value.message_en)
    if kind is not None:
        assert caught.value.kind is kind
    assert caught.value.message_zh and caught.value.message_en
    assert fingerprint(container) == before, "a refused call changed the database"
    return caught.value
