"""Building the XML documents the platforms take inside their SOAP calls."""

from __future__ import annotations

from collections.abc import Mapping

from lxml import etree


def serialize(root: etree._Element) -> str:
    return etree.tostring(root, encoding="unicode")


def element(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    """A child element; lxml escapes the text and refuses names and characters XML cannot
    carry, and the error names the field so a parked record says which one is wrong."""
    if not tag or ":" in tag:
        raise ValueError(f"field code {tag!r} is not an XML element name")
    try:
        child = etree.SubElement(parent, tag)
    except ValueError as err:
        raise ValueError(f"field code {tag!r} is not an XML element name") from err
    if text is not None:
        try:
            child.text = text
        except ValueError as err:
            parent.remove(child)
            raise ValueError(f"field {tag}: {err}") from err
    return child


def fields_of(parent: etree._Element, fields: Mapping[str, str]) -> None:
    """The record's fields as elements, in the record's order."""
    for code, value in fields.items():
        element(parent, code, value)
