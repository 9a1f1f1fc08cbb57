"""The public notices a round's lifecycle publishes at the moment its step happens.

开标记录 when the opening record is signed (招标投标法 第三十六条, 电子招标投标办法 第三十条),
中标候选人公示 when the publicity starts (条例 第五十四条, 发改委令10号 第六条), 中标结果公告 with
the award notice (发改委令10号 第六条; 政府采购 中标(成交)结果公告 with the 评审专家名单, 政采条例
第四十三条), 合同订立 / 合同公告 when the contract is recorded (政采条例 第五十条), and 终止公告 /
流标公告 when a round ends without one (条例 第三十一条, 招标投标法 第二十八条).

The law makes these facts public at the step, so nobody reviews them: the step itself writes a
published row in ``notices`` with the round it reports on, in its own transaction (if the step
is refused, no notice). They emit no event: the platforms receive the lifecycle's own records
(opening record, candidates, result, contract) through the events the step emits already, and a
notice event would reach them a second time as a tender notice. What a notice says is only what
the law publishes at that step: never a bid's contents before the opening, never the committee
before the result (and then only in 政府采购, where the law names it), never a personal
identifier read out of a bid.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from core.audit import snapshot
from core.clock import SHANGHAI
from core.model.account import Account
from core.model.notice import Notice, NoticeStatus
from core.model.tendering import Award, CommitteeMember, OpeningRecord, Publicity, Round
from core.rules.limits import MemberKind
from core.services.tendering.procedure import procedure_of
from core.uow import UnitOfWork

GOV_PROCUREMENT = "gov_procurement"
GENERATED_TYPES = frozenset({"opening_record", "candidates", "result", "contract",
                             "termination", "failed"})

# 政府采购 names some notices its own way (政府采购信息发布管理办法, 政采条例 43/50)
_PROCUREMENT_LABELS = {"tender": "采购公告", "amendment": "更正公告",
                       "clarification": "更正公告", "result": "中标(成交)结果公告",
                       "contract": "合同公告", "failed": "废标公告"}
_LABELS = {"tender": "招标公告", "prequalification": "资格预审公告", "amendment": "变更公告",
           "clarification": "澄清公告", "opening_record": "开标记录",
           "candidates": "中标候选人公示", "result": "中标结果公告", "contract": "合同订立",
           "termination": "终止公告", "failed": "流标公告"}

_OUTCOMES = {"opened_by_bidder": "投标人已解密", "opened_by_committee": "开标密钥持有人解密",
             "revoked": "因投标人原因未解密，视为撤销（电子招标投标办法第三十一条）",
             "retracted": "因投标人之外的原因未解密，视为撤回，投标人有权要求责任方赔偿因此遭受的"
                          "直接损失（电子招标投标办法第三十一条）"}
_COMPONENTS = {"platform": "交易平台", "ca": "CA 数字证书服务", "storage": "投标文件存储",
               "network": "网络", "other": "其他"}
# the 开标一览表 items a page reads out under their names; other items keep their own key
_DECLARED = {"duration_days": "工期（日历天）", "quality": "质量", "project_manager": "项目负责人",
             "warranty": "质保期"}
_NOT_READ_AGAIN = frozenset({"bidder", "bidder_name"})  # the bidder is named already


_LABELS_OF_DOMAIN = {GOV_PROCUREMENT: _PROCUREMENT_LABELS}


def label(notice_type: str, domain: str) -> str:
    """The notice type's name as the domain's law calls it."""
    own = _LABELS_OF_DOMAIN.get(domain, {})
    return own.get(notice_type) or _LABELS.get(notice_type, notice_type)


def beijing(moment: datetime) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M（北京时间）")


def _moment(iso: str | None) -> str:
    return "" if iso is None else beijing(datetime.fromisoformat(iso))


def yuan(value: Decimal | str | None) -> str:
    return "—" if value is None else f"{Decimal(value):,.2f} 元"


def declared_lines(declared: dict[str, Any] | None) -> list[str]:
    """The items read out at the opening, as the opening reads them out in public: without
    personal identifiers (opening.read_out; the candidates' raw items still carry them)."""
    from core.services.tendering.opening import read_out  # opening publishes through here

    return [f"{_DECLARED.get(k, k)}：{v}" for k, v in read_out(declared).items()
            if k not in _NOT_READ_AGAIN]


def generated_for(uow: UnitOfWork, r: Round, notice_type: str) -> Notice | None:
    return uow.session.scalars(select(Notice).where(
        Notice.round_id == r.id, Notice.notice_type == notice_type)).first()


def _tender_notice(uow: UnitOfWork, r: Round) -> int | None:
    """The notice that announced the section (the newest written one naming it, else the
    newest of its tender project): the generated notice points at it."""
    written = list(uow.session.scalars(select(Notice).where(
        Notice.tender_project_id == r.section.tender_project_id,
        Notice.status == NoticeStatus.PUBLISHED.value, Notice.round_id.is_(None))
        .order_by(Notice.published_at.desc(), Notice.id.desc())))
    naming = [n for n in written if any(s.id == r.section_id for s in n.sections)]
    chosen = naming or written
    return chosen[0].id if chosen else None


def _publish(uow: UnitOfWork, r: Round, notice_type: str, body: Iterable[str],
             actor: str, account_id: int | None) -> Notice:
    """The published notice of this step; the one already there if the step ran before."""
    existing = generated_for(uow, r, notice_type)
    if existing is not None:
        return existing
    section = r.section
    tp = section.tender_project
    now = uow.clock.now()
    kind = label(notice_type, tp.project.domain)
    round_note = f"（第{r.round_no}次招标）" if r.round_no > 1 else ""
    head = [f"项目名称：{tp.name}", f"招标项目编号：{tp.code}",
            f"统一交易标识码：{tp.unified_deal_code}",
            f"标段(包)：{section.code} {section.name}{round_note}", f"发布时间：{beijing(now)}", ""]
    notice = Notice(
        tender_project=tp, notice_type=notice_type,
        title=f"{tp.name}{section.name}{kind}"[:300],
        content="\n".join([*head, *body]),
        status=NoticeStatus.PUBLISHED.value, related_notice_id=_tender_notice(uow, r),
        sections=[section], round_id=r.id, created_by=account_id,
        created_at=now, updated_at=now, submitted_at=now, published_at=now)
    uow.session.add(notice)
    uow.session.flush()
    uow.record(actor, "notice.generate", "notice", notice.id, None,
               {**snapshot(notice), "section_codes": [section.code]})
    return notice


# -- one builder per step; each reads only what its step made public --------------------------


def opening_record(uow: UnitOfWork, r: Round, record: OpeningRecord, actor: str,
                   account_id: int | None) -> Notice:
    body = json.loads(record.body)
    lines = [f"投标截止时间（开标时间）：{beijing(r.bid_deadline)}",
             f"递交投标文件的投标人：{len(body['bids'])} 家", "", "开标记录："]
    for i, bid in enumerate(body["bids"], start=1):
        lines.append(f"{i}. {bid['bidder_name']}　投标报价：{yuan(bid['price'])}"
                     f"　解密情况：{_OUTCOMES.get(bid['outcome'], bid['outcome'])}")
        lines += [f"   {line}" for line in declared_lines(bid.get("declared"))]
        if bid.get("determination"):
            lines.append(f"   未解密原因认定：{bid['determination']['reason']}")
    incidents = body.get("incidents") or []
    if incidents:
        lines += ["", "解密时段内的交易平台故障记录："]
        lines += [f"{i}. {_COMPONENTS.get(x['component'], x['component'])}：{x['description']}"
                  f"（{_moment(x['started_at'])} 至 {_moment(x['ended_at']) or '尚未恢复'}）"
                  for i, x in enumerate(incidents, start=1)]
    objections = body.get("objections") or []
    if objections:  # 条例 44: raised on site, answered on site, recorded
        lines += ["", "开标现场异议及答复："]
        for i, x in enumerate(objections, start=1):
            lines.append(f"{i}. {x['bidder_name']}（{_moment(x['raised_at'])}）：{x['text']}")
            lines.append(f"   答复（{_moment(x['answered_at'])}）：{x['answer']}" if x["answer"]
                         else "   答复：开标现场未作答复")
    lines += ["", "本开标记录由交易平台电子签名，对开标有异议的，投标人应当在开标现场提出"
                  "（《招标投标法实施条例》第四十四条）。"]
    return _publish(uow, r, "opening_record", lines, actor, account_id)


def candidates(uow: UnitOfWork, r: Round, publicity: Publicity, views: Iterable[Any],
               actor: str, account_id: int | None) -> Notice:
    lines = [f"公示期：{beijing(publicity.starts_at)} 至 {beijing(publicity.ends_at)}", "",
             "中标候选人（按排名）："]
    for v in views:
        lines.append(f"第{v.rank}名：{v.bidder_name}　投标报价：{yuan(v.price)}")
        lines += [f"   {line}" for line in declared_lines(v.declared)]
    lines += ["", "投标人或者其他利害关系人对评标结果有异议的，应当在中标候选人公示期间向招标人"
                  "提出；招标人应当自收到异议之日起3日内作出答复，作出答复前暂停招标投标活动"
                  "（《招标投标法实施条例》第五十四条）。"]
    return _publish(uow, r, "candidates", lines, actor, account_id)


def expert_names(uow: UnitOfWork, r: Round) -> list[str]:
    """The 评审专家 by name, in the order they were assigned (政采条例 43 lists them in the
    result notice)."""
    return list(uow.session.scalars(
        select(Account.display_name).join(CommitteeMember, CommitteeMember.account_id == Account.id)
        .where(CommitteeMember.round_id == r.id,
               CommitteeMember.kind == MemberKind.TECHNICAL_ECONOMIC_EXPERT.value)
        .order_by(CommitteeMember.id)))


def result(uow: UnitOfWork, r: Round, award: Award, winner: Any, actor: str,
           account_id: int | None) -> Notice:
    lines = [f"中标人：{winner.bidder_name}", f"中标价格：{yuan(winner.price)}",
             f"中标通知书发出时间：{beijing(award.notice_issued_at)}"]
    if procedure_of(r).result_lists_experts:  # 政采条例 43: secret until now
        lines.append(f"评审专家名单：{'、'.join(expert_names(uow, r)) or '—'}")
    if award.result_notice_ends_at is not None:  # 政采条例 43: 1 个工作日
        lines.append(f"公告期限：至{beijing(award.result_notice_ends_at)}")
    if award.challenge_ends_at is not None:  # 政采条例 53(三)
        lines.append("供应商认为中标（成交）结果使自己的权益受到损害的，可以在公告期限届满之日起7个"
                     f"工作日内（至{beijing(award.challenge_ends_at)}）以书面形式提出质疑。")
    return _publish(uow, r, "result", lines, actor, account_id)


def contract(uow: UnitOfWork, r: Round, award: Award, winner: Any, actor: str,
             account_id: int | None) -> Notice:
    assert award.contract_signed_at is not None
    lines = [f"中标人：{winner.bidder_name}", f"合同金额：{yuan(award.contract_amount)}",
             f"合同签订时间：{beijing(award.contract_signed_at)}"]
    return _publish(uow, r, "contract", lines, actor, account_id)


def termination(uow: UnitOfWork, r: Round, actor: str, account_id: int | None) -> Notice:
    lines = [f"终止原因：{_reason(r)}",
             "已收取的投标保证金及银行同期存款利息将及时退还（《招标投标法实施条例》第三十一条）。"]
    return _publish(uow, r, "termination", lines, actor, account_id)


def _reason(r: Round) -> str:
    """The reason in words: the scheduler stores ``CODE: 原因``, the public reads 原因."""
    return (r.failure_reason or "—").split(": ", 1)[-1]


def failed(uow: UnitOfWork, r: Round, actor: str, account_id: int | None) -> Notice:
    law = procedure_of(r).retender_basis_zh
    lines = [f"投标截止时间：{beijing(r.bid_deadline)}", f"原因：{_reason(r)}",
             f"本标段(包)将依法重新组织招标（{law}）。"]
    return _publish(uow, r, "failed", lines, actor, account_id)
