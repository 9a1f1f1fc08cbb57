"""libcoveocds without the network: the 1.1.5 schema and the four extensions kept in schema/.

libcoveocds reads the standard from a ZIP (``standard_zip`` may be a file:// URL) but fetches the
extensions named in a package over HTTP. Here each extension URL is answered from its local copy
(metadata, release-schema patch and codelists, pre-loaded so nothing is requested), and the
schema libcoveocds validates against is the 1.1.5 release schema with the patches applied by JSON
Merge Patch, exactly as ocdsextensionregistry applies them. The copies are served unmodified:
bidOpening's ``location`` resolves because the packages declare the location extension it
depends on (a package without it gets a dereferencing error, on which libcoveocds checks no
codelist; tests/ocds/test_ocds_extensions.py).
"""

from __future__ import annotations

import copy
import json
import os
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import json_merge_patch
from libcoveocds.common_checks import common_checks_ocds
from libcoveocds.config import LibCoveOCDSConfig
from libcoveocds.lib.api import context_api_transform
from libcoveocds.schema import SchemaOCDS
from ocdsextensionregistry.extension_version import ExtensionVersion
from ocdsextensionregistry.profile_builder import ProfileBuilder

from mappings.ocds.publication import EXTENSIONS

# Copies kept with the tests (schema/README.md), so any clone validates offline;
# GGZY_OCDS_OFFLINE may point at another copy laid out the same way.
SHARED = Path(os.environ.get("GGZY_OCDS_OFFLINE") or Path(__file__).resolve().parent / "schema")
if not (SHARED / "standard-1__1__5.zip").is_file():
    raise RuntimeError(f"the offline OCDS schema is missing: {SHARED} (see schema/README.md)")
STANDARD_ZIP = SHARED / "standard-1__1__5.zip"
LOCAL = {url: SHARED / "extensions" / url.split("/")[4] for url in EXTENSIONS}


def _files(folder: Path) -> dict[str, str]:
    files = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix in {".json", ".csv"}:
            files[path.relative_to(folder).as_posix()] = path.read_text(encoding="utf-8")
    return files


def local_extension(url: str) -> ExtensionVersion:
    """An extension version whose files are already loaded: remote() never goes out."""
    version = ExtensionVersion(dict.fromkeys(["Id", "Date", "Version", "Download URL"])
                               | {"Base URL": url.removesuffix("extension.json")},
                               input_url=url)
    version._files = _files(LOCAL[url])
    return version


class LocalProfileBuilder(ProfileBuilder):
    def __init__(self, tag: str, urls: list[str]) -> None:
        super().__init__(tag, urls, standard_base_url=STANDARD_ZIP.as_uri())
        unknown = [u for u in urls if u not in LOCAL]
        if unknown:
            raise AssertionError(f"no offline copy of extension(s) {unknown}")
        self._local = [local_extension(u) for u in urls]

    def extensions(self) -> Iterator[ExtensionVersion]:
        yield from self._local


def patched_release_schema() -> dict[str, Any]:
    """The 1.1.5 release schema with the extension patches (JSON Merge Patch, RFC 7386)."""
    with zipfile.ZipFile(STANDARD_ZIP) as z:
        name = next(n for n in z.namelist() if n.endswith("/schema/release-schema.json"))
        schema = json.loads(z.read(name))
    for url in EXTENSIONS:
        json_merge_patch.merge(schema, json.loads(_files(LOCAL[url])["release-schema.json"]))
    return schema


def standard_loader(uri: str, **_: Any) -> Any:
    """jsonref's loader for the standard's own schema URLs (the record package refers to the
    versioned release schema by URL); anything else is refused rather than fetched."""
    prefix = "https://standard.open-contracting.org/schema/1__1__5/"
    if not uri.startswith(prefix):
        raise AssertionError(f"refused to fetch {uri}")
    with zipfile.ZipFile(STANDARD_ZIP) as z:
        name = next(n for n in z.namelist() if n.endswith("/schema/" + uri[len(prefix):]))
        return json.loads(z.read(name))


class OfflineSchema(SchemaOCDS):
    def __init__(self, package: dict[str, Any], config: LibCoveOCDSConfig, *,
                 record_pkg: bool) -> None:
        super().__init__(None, package, config, record_pkg=record_pkg)
        self.builder = LocalProfileBuilder(self.version_choices[self.version][2],
                                           list(self.extensions))
        self.builder_extensions = list(self.builder.extensions())

    @staticmethod
    def _jsonref_kwarg(*, proxies: bool = False) -> dict[str, Any]:
        kwargs = {"proxies": True, "lazy_load": False} if proxies else {
            "proxies": False, "merge_props": True}
        return {**kwargs, "loader": standard_loader}


def validate(package: dict[str, Any]) -> dict[str, Any]:
    """libcoveocds' API-context result for a release or record package."""
    config = LibCoveOCDSConfig()
    config.config["context"] = "api"
    config.config["standard_zip"] = STANDARD_ZIP.as_uri()
    data = copy.deepcopy(package)
    schema = OfflineSchema(data, config, record_pkg="records" in data)
    context = common_checks_ocds({"file_type": "json"}, "", data, schema, cache=False)
    context_api_transform(context)
    if schema.json_deref_error:
        context["json_deref_error"] = schema.json_deref_error
    context["schema"] = schema
    return context
