"""Who publishes and under which ocid prefix.

The prefix is registered with the OCDS Data Support team; until this centre has one, the default
``ocds-ggzy00`` is a placeholder that must not be used for a public feed (docs/ocds.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DEFAULT_OCID_PREFIX = "ocds-ggzy00"  # placeholder: register a real prefix before publishing
OCID_PREFIX = re.compile(r"^ocds-[a-z0-9]{6}$")

#: The extensions as registered in the OCDS extension registry (their extension.json URLs),
#: with every extension each of them depends on: bidOpening's ``location`` is a ``$ref`` into the
#: location extension, and a package that leaves it out has a schema that does not resolve, on
#: which libcoveocds reports a dereferencing error and silently checks no codelist at all.
EXTENSIONS = (
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/v1.1.5/"
    "extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bidOpening_extension/"
    "master/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_location_extension/"
    "v1.1.5/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/v1.1.5/"
    "extension.json",
)


@dataclass(frozen=True)
class PublicationSettings:
    ocid_prefix: str
    publisher_name: str
    publisher_uid: str  # the operator's 统一社会信用代码

    def __post_init__(self) -> None:
        if not OCID_PREFIX.match(self.ocid_prefix):
            raise ValueError(f"an OCDS ocid prefix is 'ocds-' and 6 lower-case letters or "
                             f"digits, got {self.ocid_prefix!r}")
