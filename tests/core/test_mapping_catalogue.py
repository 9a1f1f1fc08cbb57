"""A spec mapping hands the adapter typed records, made once per reference."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from adapters.bootstrap import Container
from adapters.exchange_runtime import mapping_context
from core.model.outbox import OutboxEvent
from exchange.delivery import event_document
from exchange.mapping_specs import SpecCatalogue
from exchange.registry import MappingError
from mappings.records import CONTENT_TYPE, DataSetRecord
from tests.api.conftest import Api


def test_a_project_event_becomes_typed_records_once(api: Api, container: Container) -> None:
    _, agency = api.register("agency", "MA2YMC01", ["tender_agency"])
    owner, _ = api.register("tenderer", "MA2YMC02", ["tenderer"])
    api.project(agency, owner_party_id=owner)
    with container.session_factory() as s:
        event = s.scalars(select(OutboxEvent).where(
            OutboxEvent.event_type == "project.created")).one()
        document = event_document(event)
    catalogue = SpecCatalogue(container.session_factory, mapping_context(container.settings))
    mapping = catalogue.mapping("gcjs.project@1")
    assert catalogue.mapping("gcjs.project@1") is mapping
    content, content_type = mapping(document)
    assert content_type == CONTENT_TYPE
    assert isinstance(content, tuple) and [type(r) for r in content] == [DataSetRecord]
    assert content[0].data_set == "500" and content[0].fields["PROJECT_CODE"] == event.aggregate_id


def test_an_unknown_reference_is_a_mapping_error(container: Container) -> None:
    catalogue = SpecCatalogue(container.session_factory, mapping_context(container.settings))
    with pytest.raises(MappingError):
        catalogue.mapping("gcjs.nothing@9")
