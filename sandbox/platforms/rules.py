"""What the provincial and national systems check in a record: one rule table for every peer.

Written from the research field lists (``national-standards-fields.md``, which follows Fujian's
V4 validation configs, and for 504/508/509/517 the same configs read directly), never from the
hub's own mapping tables: if the hub and these tables disagree, the exchange fails and someone
looks, instead of both sides sharing one misreading.

The tables use the research notation, one field per ``;``::

    NAME[*|+] [=n | <=n] [dt14 | d8 | num | gb2260 | code11 | list23 | list40 | ENUM_NAME]

``*`` mandatory; ``+`` a Fujian V4 extension (research: "†"), mandatory only where a peer asks
for Fujian's extensions, otherwise checked when present; ``=n`` exact and ``<=n`` maximum length
(characters, as the Chinese systems count them); ``listNN`` a comma-separated list of NN-character
codes (several sections or deal codes in one notice).

Fields a table does not name are ignored, as the real ingest services ignore columns they do not
know. Code values the research could not pin down (subject roles, notice kinds, ...) are checked
for length only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

ENUMS: dict[str, tuple[str, ...]] = {
    "TRUE_OR_FALSE": ("0", "1"),
    "PRICE_UNIT": ("0", "1"),            # 0 元 / 1 万元 (Fujian; cebpubservice codes 1|2)
    "PRICE_FORM_CODE": ("1", "2", "3", "9"),
    "RELATE_CODE": ("0", "1"),
    "EXCEPITON_TYPE": ("1", "2", "3", "9"),
    "TENDER_MODE": ("1", "2", "9"),      # cebpubservice XSD [1|2|9]
    "TENDER_ORGANIZE_FORM": ("1", "2", "3", "9"),
}

_FORMATS: dict[str, tuple[re.Pattern[str], str]] = {
    "num": (re.compile(r"-?\d{1,14}(\.\d{1,6})?"), "number"),
    "gb2260": (re.compile(r"[1-9]\d{5}"), "6-digit GB/T 2260 code"),
    "code11": (re.compile(r"[0-9A-Z]{11}"), "11 characters [0-9A-Z]"),
}

COMMON = "PLATFORM_CODE* =18; PUB_SERVICE_PLAT_CODE* =18; DATA_TIMESTAMP* dt14"
ENGINEERING_COMMON = "TRADE_PLAT* =11 code11; PUB_SERVICE_PLAT* =11 code11"

# data set -> (name_en, name_zh, fields)
TABLES: dict[str, tuple[str, str, str]] = {
    "500": ("PROJECT", "项目", """
        PROJECT_CODE* =17; PROJECT_NAME* <=600; REGION_CODE* gb2260; RELATE_CODE* =1 RELATE_CODE;
        INVEST_PROJECT_CODE =24; ADDRESS* <=2000; LEGAL_PERSON* <=200; CLASS_VER_CODE* =1;
        INDUSTRIES_TYPE* =3; FUND_SOURCE* <=1000; CONTRIBUTION_SCALE <=1000;
        PROJECT_SCALE* <=4000; CONTACTOR* <=100; CONTACT_INFORMATION* <=100;
        APPROVAL_NAME* <=500; APPROVAL_NUMBER <=100; APPROVAL_AUTHORITY <=200; CREATE_TIME* dt14;
        OPERATION_NAME+ <=200"""),
    "501": ("TENDER_PROJECT", "招标项目", """
        PROJECT_CODE* =17; TENDER_PROJECT_CODE* =20; TENDER_SELF_CODE <=200;
        UNIFIED_DEAL_CODE =40; IS_TO_LAW* =1 TRUE_OR_FALSE; TENDER_PROJECT_NAME* <=600;
        TENDER_PROJECT_TYPE* =3; REGION_CODE* gb2260; TENDER_CONTENT*; OWNER_NAME <=200;
        TENDERER_NAME* <=2000; TENDERER_CODE_TYPE* <=20; TENDERER_CODE* <=2000; ISUNION* =1;
        TENDERER_ROLE* =2; TENDER_AGENCY_NAME* <=200; TENDER_AGENCY_CODE_TYPE* =1;
        TENDER_AGENCY_CODE* <=18; TENDER_AGENCY_ROLE* =2; TENDER_MODE* =1 TENDER_MODE;
        TENDER_ORGANIZE_FORM* =1 TENDER_ORGANIZE_FORM; CREATE_TIME* dt14;
        SUPERVISE_DEPT_NAME* <=200; SUPERVISE_DEPT_CODE <=18; APPROVE_DEPT_NAME* <=200;
        APPROVE_DEPT_CODE <=18; REPORT_DUTY* <=200; TENDERER_REGION_CODE+ gb2260;
        TENDERER_PROPERTY+ =1; TENDER_AGENCY_REGION_CODE+ gb2260; TENDER_AGENCY_PROPERTY+ =1;
        OPERATION_NAME+ <=200; TRADE_SYSTEM_NO+ =12; TRADE_SYSTEM_FEE+ num"""),
    "502": ("SECTION", "标段(包)", """
        TENDER_PROJECT_CODE* =20; BID_SECTION_CODE* =23; BID_SECTION_NAME* <=500;
        BID_ECTION_NUM* num; UNIFIED_DEAL_CODE* =40; BID_TENDER_MODE* =1; REGION_CODE* gb2260;
        TRA_PLACE_CODE* gb2260; BID_SECTION_CONTENT*; TENDER_PROJECT_CLASSIFY_CODE* <=30;
        CONTRACT_RECKON_PRICE* num; CURRENCY_CODE* =3; PRICE_UNIT* =1 PRICE_UNIT;
        BID_QUALIFICATION*; BEGIN_DATE d8; LIMITE_TIME num; CREATE_TIME* dt14"""),
    "503": ("TENDER_ANN_QUA_INQUERY_ANN", "招标公告与资格预审公告", """
        TENDER_PROJECT_CODE* =20; NOTICE_BID_NUM* num; BID_SECTION_CODES* <=2000 list23;
        TRAD_CENTER_NAME <=2000; UNIFIED_DEAL_CODES* <=2000 list40; TENDER_SELF_CODE* <=600;
        NOTICE_NAME* <=600; NOTICE_CONTENT*; NOTICE_SEND_TIME* dt14; NOTICE_MEDIA* <=1000;
        URL* <=500; NOTICE_NATURE* =1; BULLETIN_TYPE* =1; DOC_GET_START_TIME* dt14;
        DOC_GET_END_TIME* dt14; TENDER_DOC_GET_METHOD* <=500; BID_DOC_REFER_END_TIME* dt14;
        IS_POSTPONE =1 TRUE_OR_FALSE; BID_OPEN_TIME* dt14; DOC_PRICE num; DOC_PRICE_CURRENCY =3;
        DOC_PRICE_UNIT =1 PRICE_UNIT; BID_DOC_REFER_METHOD* <=500;
        SYNDICATED_FLAG* =1 TRUE_OR_FALSE; TENDERER_CODE* <=18; TENDERER_NAME* <=200;
        TENDERER_ADDRESS* <=200; TENDERER_CONTACTOR* <=100; TENDERER_PHONE_NUMBER* <=20;
        TENDERER_EMAIL* <=100; TENDER_AGENCY_CODE <=18; TENDER_AGENCY_NAME <=200;
        TENDER_AGENCY_ADDRESS <=200; TENDER_AGENCY_CONTACTOR <=100;
        TENDER_AGENCY_PHONE_NUMBER <=20; TENDER_AGENCY_EMAIL <=100; BULLETIN_DUTY* <=50;
        BULLETIN_DUTY_CODE_TYPE* <=50"""),
    "504": ("TENDER_FILE_CLARI_MODI", "招标文件/招标文件澄清与修改", """
        TENDER_PROJECT_CODE* =20; BID_SECTION_CODE* <=2000 list23;
        UNIFIED_DEAL_CODES* <=2000 list40; DOC_NO =26; DOC_NAME* <=600; BID_QUALIFICATION*;
        BID_DOC_REFER_END_TIME* dt14; VALID_PERIOD* num; BID_DOC_REFER_METHOD*;
        MARGIN_PAY_TYPE* <=10; PRICE_FORM_CODE* =1 PRICE_FORM_CODE; MARGIN_AMOUNT num;
        MARGIN_CURRENCY =3; MARGIN_AMOUNT_UNIT =1 PRICE_UNIT; MARGIN_PERCENT <=200;
        CONTROL_PRICE num; CONTROL_PRICE_CURRENCY =3; CONTROL_PRICE_UNIT =1 PRICE_UNIT;
        EVALUATING_METHOD*; BID_OPEN_TIME* dt14; BID_OPEN_PLACE* <=200; BID_OPEN_TYPE*;
        QUAL_TYPE* =1; CLARIFY_TIME* dt14; IS_POSTPONE* =1 TRUE_OR_FALSE; POST_OPEN_TIME dt14;
        POST_OPEN_ADDRESS <=200; CLARIFY_CONTENT*; SUBMIT_TIME* dt14; URL* <=500;
        EVALUATION_TYPE* =1"""),
    "506": ("BID_OPENING_RECORD", "开标记录", """
        TENDER_PROJECT_CODE* =20; BID_SECTION_CODES* <=2000 list23;
        UNIFIED_DEAL_CODES* <=2000 list40; NOTICE_NAME* <=600; BID_OPENING_ACTOR* <=500;
        BID_OPENING_CONTENT*; BID_OPENING_ADDRESS* <=200; BID_OPENING_TIME* dt14; URL* <=500;
        OPEN_COMPERE+ <=600; TENDER_AGENCY_PERSON+ <=600; TENDERER_PERSON+ <=600"""),
    "507": ("TENDER_LIST", "投标人名单", """
        TENDER_PROJECT_CODE* =20; BID_SECTION_CODE* =23; UNIFIED_DEAL_CODE* =40;
        BIDDER_NAME* <=300; IS_LOST* =1 TRUE_OR_FALSE; BIDDER_CODE_TYPE* =1;
        BIDDER_ORG_CODE* <=200; BIDDER_ROLE* =2; BID_MANAGER* <=100; PM_CODE* <=18;
        PM_CERTIFICATES*; IS_COMMIT_MARGIN* =1 TRUE_OR_FALSE; MARGIN_PAY_FORM* <=20;
        PRICE_FORM_CODE* =1 PRICE_FORM_CODE; OTHER_BID_PRICE <=2000; MARGIN_RECEIVE_TIME* dt14;
        UNION_ENTERPRISE_NAME <=1000; UNION_ORGAN_SET_CODE <=500; UNION_CONTACT_NAME <=3000;
        UNION_CONTACT_PHONE <=2000; BIDDER_INFO_VERSION dt14; BID_PRICE num;
        PRICE_CURRENCY =3; PRICE_UNIT =1 PRICE_UNIT; TIME_LIMIT num; CHECKIN_TIME* dt14;
        BIDDER_REGION_CODE+ gb2260; BIDDER_PROPERTY+ =1; BIDDER_OPERATION_PERSON+ <=100;
        BIDDER_OPERATION_PERSON_ID+ <=100; BIDDER_OPERATION_PERSON_CON+ <=100"""),
    "508": ("BID_EVALUATION_EXPERT", "评标专家", """
        TENDER_PROJECT_CODE* =20; BID_SECTION_CODE* =23; UNIFIED_DEAL_CODE* =40;
        EXPERT_TYPE* =1; EXPERT_NAME* <=50; ID_CARD* <=50; ID_CARD_TYPE* =2;
        EXPERT_CHECK_IN_TIME dt14; IS_CHAIR_MAN* =1 TRUE_OR_FALSE"""),
    "509": ("EVALUATION_REPORT", "评标报告", """
        TENDER_PROJECT_CODE* =20; BID_SECTION_CODE* =23; UNIFIED_DEAL_CODE* =40;
        NOTICE_NAME* <=600; EVALUATION_CONTENT*; SUBMIT_TIME* dt14; END_TIME* dt14;
        EVALUATION_RESULT* =1; URL* <=500"""),
    "510": ("TENDER_CANDIDATE", "中标候选人", """
        TENDER_PROJECT_CODE* =20; BID_SECTION_CODE* =23; UNIFIED_DEAL_CODE* =40;
        WIN_CANDIDATE_NAME* <=200; BIDDER_CODE_TYPE* =1; WIN_CANDIDATE_CODE* <=200;
        BIDDER_ROLE* =2; WIN_CANDIDATE_ORDER* num; IS_FLOAT_RATE* =1 TRUE_OR_FALSE;
        EVALUATION_RESULT*; PRICE_FORM_CODE* =1 PRICE_FORM_CODE; BID_PRICE num;
        PRICE_CURRENCY =3; PRICE_UINT =1 PRICE_UNIT; QUALITY*; EVALUATION_STATUS*;
        WIN_CANDIDATE_QUALIFICATION*; BIDDER_REGION_CODE+ gb2260; BIDDER_PROPERTY+ =1"""),
    "511": ("TENDER_CANDIDATE_ANNOUNCE", "中标候选人公示", """
        TENDER_PROJECT_CODE* =20; BID_SECTION_CODES* list23; UNIFIED_DEAL_CODE*;
        PUBLICITY_NAME* <=600; PUBLICITY_CONTENT*; PUBLICITY_REFER_TIME* dt14;
        NOTICE_MEDIA* <=1000; URL* <=500; PUBLICITY_TYPE* =1; PUBLICITY_START_TIME* dt14;
        PUBLICITY_END_TIME* dt14; OBJECTION_METHOD*; BULLETIN_DUTY* <=50; EXAMINER_NAME* <=50;
        FIRST_BIDDER_NAME+ <=200; SECOND_BIDDER_NAME+ <=200; THIRD_BIDDER_NAME+ <=200"""),
    "512": ("CONTRACT_PERFORMANCE", "合同", """
        TENDER_PROJECT_CODE* =20; BID_SECTION_CODE* =23; UNIFIED_DEAL_CODE* =40;
        CONTRACT_NAME* <=600; TENDERER_NAME* <=2000; TENDER_CODE* <=2000; BIDDER_NAME* <=2000;
        BIDDER_CODE* <=2000; CONTRACT_PRICE num; PRICE_CURRENCY =3; PRICE_UNIT* =1 PRICE_UNIT;
        PRICE_FORM_CODE* =1 PRICE_FORM_CODE; OTHER_CONTRACT_PRICE <=2000; CONTRACT_CONTENT*;
        LIMITE_TIME num; SUBMIT_TIME dt14; CONTRACT_SIGN_TIME* dt14; CONTRACT_CODE+ <=600"""),
    "513": ("WIN_RESULT_ANNO", "中标结果公告", """
        TENDER_PROJECT_CODE* =20; BID_SECTION_CODE* =23; UNIFIED_DEAL_CODE* =40;
        REGION_CODE* gb2260; TRA_PLACE_CODE* gb2260; TENDER_AGENCY_NAME <=200;
        TENDER_AGENCY_CODE*; NOTICE_NAME* <=600; NOTICE_CONTENT*; NOTICE_SEND_TIME* dt14;
        NOTICE_MEDIA* <=1000; URL* <=500; NOTICE_NATURE* =1; BULLETIN_TYPE* =1;
        WIN_BIDDER_NAME* <=200; BIDDER_CODE_TYPE* <=30; WIN_BIDDER_CODE* <=2000;
        BIDDER_ROLE* =2; UNION_CODE <=18; UNION_NAME <=1000; PRICE_FORM_CODE* =1 PRICE_FORM_CODE;
        BID_AMOUNT num; BID_CURRENCY =3; PRICE_UNIT =1 PRICE_UNIT; BULLETIN_DUTY* <=50;
        EXAMINER_NAME* <=50; BIDDER_REGION_CODE+ gb2260; BIDDER_PROPERTY+ =1;
        PROJECT_LEAD+ <=200; PROJECT_LEAD_ID+ <=50"""),
    "517": ("TENDER_ABNORMITY_REPORT", "招标异常情况报告", """
        TENDER_PROJECT_CODE* =20; BID_SECTION_CODE* =23; UNIFIED_DEAL_CODE* =40;
        EXCEPITON_NAME* <=600; EXCEPITON_INFOR*; APPROVAL_RESULT*; APPROVAL_TIME* dt14;
        EXCEPITON_TYPE* EXCEPITON_TYPE"""),
}

# A field that must be present when another holds a value (research §4: 投资项目统一代码 is
# required for 固定资产类 projects).
CONDITIONAL: dict[str, tuple[tuple[str, str, str], ...]] = {
    "500": (("INVEST_PROJECT_CODE", "RELATE_CODE", "1"),),
}

# The field that names a record in the business sense (parents are found by it).
IDENTITY = {"500": "PROJECT_CODE", "501": "TENDER_PROJECT_CODE", "502": "BID_SECTION_CODE"}


@dataclass(frozen=True)
class FieldRule:
    name: str
    required: bool
    extension: bool
    exact: int | None
    maximum: int | None
    kind: str | None  # dt14 | d8 | num | gb2260 | code11 | list23 | list40 | an ENUMS key


@dataclass(frozen=True)
class DataSet:
    code: str
    name_en: str
    name_zh: str
    fields: dict[str, FieldRule]

    @property
    def engineering(self) -> bool:
        return self.code.startswith("5")


@dataclass(frozen=True)
class Violation:
    """One broken rule; each peer words it in its own language and reply format."""

    field: str
    rule: str      # missing | exact | maximum | format | enum | required_if | immutable
    expected: str  # the length, the format or the allowed values

    def zh(self) -> str:
        if self.rule == "missing":
            return f"字段{self.field}不能为空"
        if self.rule == "exact":
            return f"字段{self.field}长度应为{self.expected}"
        if self.rule == "maximum":
            return f"字段{self.field}长度不能超过{self.expected}"
        if self.rule == "enum":
            return f"字段{self.field}取值应为{self.expected}"
        if self.rule == "required_if":
            return f"字段{self.field}在{self.expected}时不能为空"
        if self.rule == "immutable":
            return f"字段{self.field}不允许修改"
        return f"字段{self.field}格式应为{self.expected}"

    def en(self) -> str:
        if self.rule == "missing":
            return f"{self.field}: mandatory field is missing"
        if self.rule == "exact":
            return f"{self.field}: length must be {self.expected}"
        if self.rule == "maximum":
            return f"{self.field}: length must not exceed {self.expected}"
        if self.rule == "enum":
            return f"{self.field}: value must be one of {self.expected}"
        if self.rule == "required_if":
            return f"{self.field}: mandatory when {self.expected}"
        if self.rule == "immutable":
            return f"{self.field}: may not change on update (held: {self.expected})"
        return f"{self.field}: format must be {self.expected}"


_SPEC = re.compile(r"([A-Z][A-Z0-9_]*)([*+]?)((?:\s+\S+)*)")


def _parse_fields(spec: str) -> dict[str, FieldRule]:
    rules: dict[str, FieldRule] = {}
    for part in spec.split(";"):
        match = _SPEC.fullmatch(part.strip())
        if match is None:
            raise ValueError(f"bad rule {part!r}")
        name, flag, rest = match.groups()
        exact = maximum = None
        kind = None
        for token in rest.split():
            if token.startswith("<="):
                maximum = int(token[2:])
            elif token.startswith("="):
                exact = int(token[1:])
            elif token in ("dt14", "d8", "list23", "list40") or token in _FORMATS or (
                    token in ENUMS):
                kind = token
            else:
                raise ValueError(f"unknown rule {token!r} for {name}")
        rules[name] = FieldRule(name, flag == "*", flag == "+", exact, maximum, kind)
    return rules


def _build() -> dict[str, DataSet]:
    common = _parse_fields(COMMON)
    engineering = _parse_fields(ENGINEERING_COMMON)
    sets = {}
    for code, (name_en, name_zh, spec) in TABLES.items():
        fields = {**common, **(engineering if code.startswith("5") else {}),
                  **_parse_fields(spec)}
        sets[code] = DataSet(code, name_en, name_zh, fields)
    return sets


DATA_SETS: dict[str, DataSet] = _build()


def _date_ok(value: str, pattern: str, digits: int) -> bool:
    if len(value) != digits or not value.isdigit() or not value.isascii():
        return False
    try:
        datetime.strptime(value, pattern)
    except ValueError:
        return False
    return True


def _check(rule: FieldRule, value: str) -> Violation | None:
    if rule.exact is not None and len(value) != rule.exact:
        return Violation(rule.name, "exact", str(rule.exact))
    if rule.maximum is not None and len(value) > rule.maximum:
        return Violation(rule.name, "maximum", str(rule.maximum))
    kind = rule.kind
    if kind is None:
        return None
    if kind == "dt14" and not _date_ok(value, "%Y%m%d%H%M%S", 14):
        return Violation(rule.name, "format", "yyyyMMddHHmmss")
    if kind == "d8" and not _date_ok(value, "%Y%m%d", 8):
        return Violation(rule.name, "format", "yyyyMMdd")
    if kind in ("list23", "list40"):
        size = int(kind[4:])
        if any(len(code) != size for code in value.split(",")):
            return Violation(rule.name, "format",
                             f"{size}-character codes separated by commas")
    if kind in _FORMATS:
        pattern, described = _FORMATS[kind]
        if not pattern.fullmatch(value):
            return Violation(rule.name, "format", described)
    if kind in ENUMS and value not in ENUMS[kind]:
        return Violation(rule.name, "enum", "/".join(ENUMS[kind]))
    return None


def validate(data_set: DataSet, fields: dict[str, str], *,
             extensions_required: bool = False) -> Violation | None:
    """The first broken rule in table order, or None: the real systems answer one at a time."""
    for rule in data_set.fields.values():
        value = fields.get(rule.name)
        if value is None or value == "":
            if rule.required or (rule.extension and extensions_required):
                return Violation(rule.name, "missing", "")
            continue
        violation = _check(rule, value)
        if violation is not None:
            return violation
    for field_name, other, when in CONDITIONAL.get(data_set.code, ()):
        if fields.get(other) == when and not fields.get(field_name):
            return Violation(field_name, "required_if", f"{other}={when}")
    return None


@dataclass(frozen=True)
class ParentRef:
    data_set: str   # "500" | "501" | "502"
    code: str       # the parent's identity value (PROJECT_CODE, ...)

    @property
    def name_zh(self) -> str:
        return DATA_SETS[self.data_set].name_zh

    @property
    def field(self) -> str:
        return IDENTITY[self.data_set]


def parents(data_set: str, fields: dict[str, str]) -> list[ParentRef]:
    """The records that must already be held before this one, nearest the root first.

    501 needs its 500; 502 its 501; every later engineering set its 501 and, when it names one
    single section in BID_SECTION_CODE, that 502 as well (a list of sections is not checked).
    """
    found: list[ParentRef] = []
    if data_set == "501":
        if fields.get("PROJECT_CODE"):
            found.append(ParentRef("500", fields["PROJECT_CODE"]))
    elif data_set.startswith("5") and data_set != "500":
        if fields.get("TENDER_PROJECT_CODE"):
            found.append(ParentRef("501", fields["TENDER_PROJECT_CODE"]))
        section = fields.get("BID_SECTION_CODE", "")
        if data_set != "502" and section and "," not in section:
            found.append(ParentRef("502", section))
    return found


def identity(data_set: str, fields: dict[str, str]) -> str | None:
    """The record's business identity (PROJECT_CODE, ...) if its data set is a parent kind."""
    name = IDENTITY.get(data_set)
    return fields.get(name) if name else None
