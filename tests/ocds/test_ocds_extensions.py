"""Every extension the packages declare has its dependencies declared too, so the schema
libcoveocds builds resolves and its codelist checks run; a wrong codelist value is reported."""

from __future__ import annotations

import copy
import json
from typing import Any

from adapters.bootstrap import Container
from mappings.ocds.publication import EXTENSIONS, PublicationSettings
from tests.ocds.conftest import Demo, export
from tests.ocds.offline import LOCAL, validate
from tests.ocds.test_ocds_demo import _broken, assert_valid


def _extension_id(url: str) -> str:
    """The registry's id of an extension: its repository, whatever the version in the URL."""
    return url.split("/")[4]


def test_every_dependency_of_a_declared_extension_is_declared() -> None:
    declared = {_extension_id(url) for url in EXTENSIONS}
    for url in EXTENSIONS:
        metadata = json.loads((LOCAL[url] / "extension.json").read_text(encoding="utf-8"))
        needed = {_extension_id(dep) for dep in metadata.get("dependencies", [])}
        assert needed <= declared, (url, needed - declared)


def test_a_wrong_codelist_value_is_reported(container: Container, demo: Demo,
                                            publication: PublicationSettings) -> None:
    _, package = export(container, publication, demo.sections[0])
    assert_valid(package)  # the releases as published: clean

    def wrong_method(release: dict[str, Any]) -> None:
        release["tender"]["procurementMethod"] = "auction"  # not in method.csv (closed)

    found = validate(_broken(package, wrong_method))
    assert "json_deref_error" not in found
    codelist = found["additional_closed_codelist_values"]
    assert list(codelist) == ["releases/tender/procurementMethod"], codelist
    assert codelist["releases/tender/procurementMethod"]["codelist"] == "method.csv"
    assert codelist["releases/tender/procurementMethod"]["values"] == ["auction"]


def test_without_the_location_extension_the_codelists_go_unchecked(
        container: Container, demo: Demo, publication: PublicationSettings) -> None:
    """Why the dependency matters: bidOpening alone leaves a dangling $ref, and libcoveocds
    then reports the dereferencing error and no codelist value at all."""
    _, package = export(container, publication, demo.sections[0])

    def wrong_method(release: dict[str, Any]) -> None:
        release["tender"]["procurementMethod"] = "auction"

    broken = _broken(package, wrong_method)
    alone = copy.deepcopy(broken)
    alone["extensions"] = [u for u in EXTENSIONS if _extension_id(u) != "ocds_location_extension"]
    found = validate(alone)
    assert "Location" in found["json_deref_error"]
    assert found["additional_closed_codelist_values"] == {}
