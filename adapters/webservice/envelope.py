"""The SOAP processing rules an endpoint applies to the envelope before any operation runs.

spyne reads the first child of Body and ignores everything else, so without these checks an
empty Body crashed it (a plain 500), a second operation was silently dropped, and a header the
sender marked as mandatory was ignored although the sender said the call must fail then.

* **Version.** The root must be this endpoint's Envelope. An Envelope of another namespace is
  ``VersionMismatch`` (SOAP 1.1 §4.4.1, SOAP 1.2 part 1 §5.4.7); at the SOAP 1.2 endpoint also
  any other root, and a SOAP 1.1 envelope there is answered in SOAP 1.1 (part 1, appendix A),
  both with an ``Upgrade`` header naming the SOAP 1.2 envelope.
* **Structure.** An optional Header, then exactly one Body, nothing else and no text
  (``SOAP_ENVELOPE_INVALID``; WS-I Basic Profile R1011 forbids children after Body).
* **Body.** Exactly one element: the operation (``SOAP_BODY_EMPTY``,
  ``SOAP_BODY_MULTIPLE_OPERATIONS``; a Fault sent to us is no operation either).
* **mustUnderstand.** A header block meant for us (no role/actor, or "next", or SOAP 1.2's
  "ultimateReceiver") with mustUnderstand true that we do not understand is ``MustUnderstand``
  (SOAP 1.1 §4.2.3, SOAP 1.2 part 1 §5.2.3, §5.4.8). We understand WS-Security's Security
  header (it carries the credential). A value other than 0/1/false/true is
  ``SOAP_HEADER_INVALID``.
"""

from __future__ import annotations

from lxml import etree

from adapters.webservice.faults import (
    MUST_UNDERSTAND,
    SOAP11_ENV,
    SOAP12_ENV,
    VERSION_MISMATCH,
    WsFault,
)

ENVELOPE_NS = {"soap11": SOAP11_ENV, "soap12": SOAP12_ENV}
WSSE_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
UNDERSTOOD = frozenset({f"{{{WSSE_NS}}}Security"})
# the roles (SOAP 1.2) and actors (SOAP 1.1) this endpoint plays; absent means the last one
OUR_ROLES = {"soap11": frozenset({"http://schemas.xmlsoap.org/soap/actor/next"}),
             "soap12": frozenset({f"{SOAP12_ENV}/role/next",
                                  f"{SOAP12_ENV}/role/ultimateReceiver"})}
ROLE_ATTRIBUTE = {"soap11": "actor", "soap12": "role"}
TRUE = frozenset({"1", "true"})
FALSE = frozenset({"0", "false"})


def _name(version: str) -> str:
    return "1.2" if version == "soap12" else "1.1"


def check_version(root: etree._Element, version: str) -> None:
    expected = ENVELOPE_NS[version]
    if root.tag == f"{{{expected}}}Envelope":
        return
    is_envelope = etree.QName(root).localname == "Envelope"
    if version == "soap11" and not is_envelope:
        raise WsFault("NOT_SOAP_ENVELOPE", f"根元素须为 SOAP 1.1 Envelope（{expected}）",
                      f"the root element must be a SOAP 1.1 Envelope ({expected})")
    code = "VERSION_MISMATCH" if is_envelope else "NOT_SOAP_ENVELOPE"
    reply = "soap11" if version == "soap12" and root.tag == f"{{{SOAP11_ENV}}}Envelope" else None
    raise WsFault(code, f"此端点只接受 SOAP {_name(version)} Envelope（{expected}）",
                  f"this endpoint accepts a SOAP {_name(version)} Envelope only ({expected})",
                  soap_code=VERSION_MISMATCH, reply_version=reply)


def _invalid(zh: str, en: str) -> WsFault:
    return WsFault("SOAP_ENVELOPE_INVALID", f"SOAP Envelope 结构无效：{zh}",
                   f"the SOAP envelope is not well formed: {en}")


def _blank(text: str | None) -> bool:
    return text is None or not text.strip()


def parts(envelope: etree._Element, version: str) -> tuple[etree._Element | None,
                                                             etree._Element]:
    """(Header or None, Body), once the structure is known to be right."""
    ns = ENVELOPE_NS[version]
    children = list(envelope)
    names = [child.tag for child in children]
    if not _blank(envelope.text) or any(not _blank(child.tail) for child in children):
        raise _invalid("Envelope 中不能有文本", "the Envelope holds text")
    if names not in ([f"{{{ns}}}Body"], [f"{{{ns}}}Header", f"{{{ns}}}Body"]):
        raise _invalid("须为可选的 Header 加一个 Body，别无其他",
                       "it must hold an optional Header and then one Body, nothing else")
    header = children[0] if len(children) == 2 else None
    return header, children[-1]


def check_body(body: etree._Element, version: str) -> None:
    operations = list(body)
    if not operations:
        raise WsFault("SOAP_BODY_EMPTY", "SOAP Body 中没有操作",
                      "the SOAP Body names no operation")
    if len(operations) > 1:
        raise WsFault("SOAP_BODY_MULTIPLE_OPERATIONS",
                      f"SOAP Body 中只能有一个操作，收到 {len(operations)} 个",
                      f"the SOAP Body must hold one operation, it holds {len(operations)}")
    if operations[0].tag == f"{{{ENVELOPE_NS[version]}}}Fault":
        raise WsFault("UNKNOWN_OPERATION", "SOAP Body 中是 Fault 而不是操作",
                      "the SOAP Body holds a Fault, not an operation")


def check_headers(header: etree._Element | None, version: str) -> None:
    if header is None:
        return
    ns = ENVELOPE_NS[version]
    not_understood: list[str] = []
    for block in header:
        value = block.get(f"{{{ns}}}mustUnderstand")
        if value is None:
            continue
        value = value.strip()
        if value not in TRUE | FALSE:
            raise WsFault("SOAP_HEADER_INVALID", "mustUnderstand 只能是 0、1、false 或 true",
                          "mustUnderstand must be 0, 1, false or true")
        role = block.get(f"{{{ns}}}{ROLE_ATTRIBUTE[version]}")
        for_us = role is None or role.strip() in OUR_ROLES[version]
        if value in TRUE and for_us and block.tag not in UNDERSTOOD:
            not_understood.append(block.tag)
    if not_understood:
        names = ", ".join(not_understood)[:300]
        raise WsFault("MUST_UNDERSTAND", f"不理解必须处理的消息头：{names}",
                      f"mandatory headers not understood: {names}",
                      soap_code=MUST_UNDERSTAND, not_understood=tuple(not_understood))


def check(envelope: etree._Element, version: str) -> None:
    """Every rule above, in the order the specifications apply them."""
    check_version(envelope, version)
    header, body = parts(envelope, version)
    check_headers(header, version)
    check_body(body, version)
