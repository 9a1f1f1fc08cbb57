"""Who publishes and under which ocid prefix, from the environment (the values themselves and
their rules are ``mappings/ocds/publication.py``; docs/ocds.md)."""

from __future__ import annotations

from collections.abc import Mapping

from core.platform import PlatformIdentity
from mappings.ocds.publication import DEFAULT_OCID_PREFIX, PublicationSettings


def from_env(env: Mapping[str, str], platform: PlatformIdentity) -> PublicationSettings:
    """GGZY_OCID_PREFIX and GGZY_OCDS_PUBLISHER_NAME; the publisher's id is the platform's USCC."""
    return PublicationSettings(
        ocid_prefix=env.get("GGZY_OCID_PREFIX") or DEFAULT_OCID_PREFIX,
        publisher_name=env.get("GGZY_OCDS_PUBLISHER_NAME")
        or f"公共资源交易平台（交易平台标识码 {platform.code}）",
        publisher_uid=platform.uscc,
    )
