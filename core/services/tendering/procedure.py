"""Which procedure governs a section and its rounds: its project's trading domain and its tender
project's mode (公开 / 邀请招标, 竞争性谈判 …), looked up in ``core.rules.procedures``. The one
place that reads the pair, so a use case asks for the procedure, never for the domain."""

from __future__ import annotations

from core.model.project import Section
from core.model.tendering import Round
from core.rules.procedures import Procedure, procedure_for


def section_procedure(section: Section) -> Procedure:
    tp = section.tender_project
    return procedure_for(tp.project.domain, tp.tender_mode)


def procedure_of(r: Round) -> Procedure:
    return section_procedure(r.section)
