"""The public OCDS endpoints, over the REST API."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from adapters.bootstrap import Container
from adapters.rest.app import create_app
from core.services import projects
from mappings.ocds.publication import PublicationSettings
from tests.ocds import scenario
from tests.ocds.conftest import Demo, export
from tests.ocds.test_ocds_demo import assert_valid

API = "/api/v1/public/ocds/sections"


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(container)) as c:
        yield c


def test_release_and_record_packages(client: TestClient, container: Container, demo: Demo,
                                      publication: PublicationSettings) -> None:
    code = demo.sections[0]
    r = client.get(f"{API}/{code}/releases")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/json"
    package = r.json(parse_float=Decimal)
    assert package["uri"] == f"http://testserver{API}/{code}/releases"
    _, built = export(container, publication, code)
    served = [{**rel, "tender": {**rel["tender"], "documents": None}}
              for rel in r.json()["releases"]]
    expected = [{**rel, "tender": {**rel["tender"], "documents": None}}
                for rel in built["releases"]]
    assert served == expected  # the same releases; only the document URLs' host differs
    documents = package["releases"][-1]["tender"]["documents"]
    for doc in documents:  # the links the releases give resolve on this API
        assert client.get(doc["url"].removeprefix("http://testserver")).status_code == 200
    assert package["releases"][-1]["tender"]["value"]["amount"] == Decimal("41200000.00")

    r = client.get(f"{API}/{code}/record")
    assert r.status_code == 200, r.text
    record = r.json()
    assert record["packages"] == [f"http://testserver{API}/{code}/releases"]
    assert [x["ocid"] for x in record["records"]] == [package["releases"][0]["ocid"]]
    assert_valid(record)


def test_unknown_and_unpublished_sections_are_404(client: TestClient, container: Container,
                                                  demo: Demo) -> None:
    with container.uow() as uow:
        tender_project = demo.sections[0][:20]
        fresh = projects.create_section(uow, scenario.principal(container, scenario.AGENCY),
                                        tender_project, projects.SectionDetails(
                                            name="第三标段", estimated_price=Decimal("1000000")))
        uow.commit()
    for code in ("E3501000001999999999999", fresh.code):
        for kind in ("releases", "record"):
            r = client.get(f"{API}/{code}/{kind}")
            assert r.status_code == 404
            assert r.headers["content-type"] == "application/problem+json"
            assert r.json()["code"] == "SECTION_NOT_FOUND"
    # the new section makes the others lots of a three-section tender project; still valid
    assert_valid(client.get(f"{API}/{demo.sections[0]}/releases").json())


def test_ocid_prefix_from_the_environment(client: TestClient, demo: Demo,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GGZY_OCID_PREFIX", "ocds-a1b2c3")
    releases = client.get(f"{API}/{demo.sections[0]}/releases").json()["releases"]
    assert all(r["ocid"].startswith("ocds-a1b2c3-E48-") for r in releases)
