"""A round for a scenario's section, whatever the demo left there.

The demo configures every section's round (a tender notice must announce them all) and leaves the
second one a draft. A scenario that wants its own dates corrects that draft through its use case,
as an agency would, and configures a new round only where there is none.
"""

from __future__ import annotations

from sqlalchemy import select

from core.model.project import Section
from core.model.tendering import Round, RoundStatus
from core.security.principal import Principal
from core.services.tendering import rounds
from core.uow import UnitOfWork


def configure_or_correct(uow: UnitOfWork, agency: Principal, section_code: str,
                         settings: rounds.RoundSettings) -> Round:
    draft = uow.session.scalar(select(Round.id).join(Round.section).where(
        Section.code == section_code, Round.status == RoundStatus.DRAFT.value))
    if draft is not None:
        return rounds.edit_draft(uow, agency, section_code, settings)
    return rounds.configure_round(uow, agency, section_code, settings)
