"""Benchmark: inbound SOAP queries per second, against a bare spyne service in the same run.

    .venv/bin/python -m tests.bench.bench_webservice [--calls 400 --repeat 3 --threads 4]

Ours: ``GetProject`` on ``/ws/soap11/query`` of the real app (uvicorn, PostgreSQL with the demo
tender): the gateway (size, DTD refusal, hardened parse), the credential, spyne, the read in a
unit of work and the audit entry every call writes. Credentials: a bearer token (digest lookup)
— the mode a busy connected system uses; a UsernameToken is also timed, for information: its
argon2 verification is deliberately slow (that is its job) and dominates that figure.

Bare: a spyne service with the same operation and types that answers the same query the same
way (the project read from the same database by the same function, in a plain session), with
no gateway, no credential and no audit entry, served the same way (a2wsgi under uvicorn): the
ratio is the cost of what ours adds per call. Also printed, for scale: the same spyne service
answering a constant (no database at all). Same client (httpx, ``--threads`` at once), same
prepared envelope, rounds interleaved; rates from the best round, the ratio is the median of
the per-round ratios.
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import uvicorn
from a2wsgi import WSGIMiddleware
from spyne import Application, ServiceBase, rpc
from spyne.protocol.soap import Soap11
from spyne.server.wsgi import WsgiApplication
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.routing import Mount

from adapters.bootstrap import Container, build
from adapters.config import load_settings
from adapters.db.migrate import upgrade
from adapters.demo import load_sample_data
from adapters.rest.app import create_app
from adapters.webservice import query_types as qt
from adapters.webservice.query import ProjectCodeIn, _project
from core.model.account import Account, AccountKind
from core.model.project import Project
from core.security.tokens import issue_token
from core.services.accounts import NewAccount, create_account
from tests.conftest import create_database, drop_database
from tests.live import free_port

PASSWORD = "bench-system-password-1"
TNS = "urn:ggzy-hub:ws:query:1"


def envelope(code: str, header: str = "") -> bytes:
    return (f'<?xml version="1.0" encoding="utf-8"?><soap:Envelope '
            f'xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:q="{TNS}">'
            f"<soap:Header>{header}</soap:Header><soap:Body><q:GetProject>"
            f"<q:ProjectCode>{code}</q:ProjectCode></q:GetProject></soap:Body>"
            f"</soap:Envelope>").encode()


def username_token(username: str, password: str) -> str:
    ns = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
    kind = ("http://docs.oasis-open.org/wss/2004/01/"
            "oasis-200401-wss-username-token-profile-1.0#PasswordText")
    return (f'<wsse:Security xmlns:wsse="{ns}"><wsse:UsernameToken>'
            f"<wsse:Username>{username}</wsse:Username>"
            f'<wsse:Password Type="{kind}">{password}</wsse:Password>'
            f"</wsse:UsernameToken></wsse:Security>")


def bare_app(c: Container, constant: Any) -> Any:
    class BareQuery(ServiceBase):
        @rpc(ProjectCodeIn, _returns=qt.ProjectInfo, _out_variable_name="Project")
        def GetProject(ctx: Any, ProjectCode: str) -> Any:
            with c.uow() as uow:
                return _project(uow, ProjectCode)

    class ConstantQuery(ServiceBase):
        @rpc(ProjectCodeIn, _returns=qt.ProjectInfo, _out_variable_name="Project")
        def GetProject(ctx: Any, ProjectCode: str) -> Any:
            return constant

    def wsgi(service: Any) -> Any:
        app = Application([service], tns=TNS, name="QueryService",
                          in_protocol=Soap11(validator="lxml"), out_protocol=Soap11())
        return WSGIMiddleware(WsgiApplication(app))

    return Starlette(routes=[Mount("/bare", wsgi(BareQuery)),
                             Mount("/constant", wsgi(ConstantQuery))])


def serve(app: Any) -> tuple[str, uvicorn.Server, threading.Thread]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", log_config=None))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server, thread


def rate(url: str, body: bytes, headers: dict[str, str], calls: int, threads: int) -> float:
    with httpx.Client(timeout=30, headers={"Content-Type": "text/xml; charset=utf-8",
                                           **headers}) as client:
        def one(_: int) -> None:
            r = client.post(url, content=body)
            if r.status_code != 200 or b"GetProjectResponse" not in r.content:
                raise RuntimeError(f"{url}: HTTP {r.status_code} {r.text[:300]}")

        start = time.perf_counter()
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(one, range(calls)))
        return calls / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=400)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    url = create_database()
    servers: list[tuple[uvicorn.Server, threading.Thread]] = []
    try:
        upgrade(url)
        c = build(load_settings({"GGZY_DATABASE_URL": url, "GGZY_SANDBOX": "no"}))
        for _ in load_sample_data(c):
            pass
        with c.uow() as uow:
            create_account(uow, None, NewAccount(username="bench-system", password=PASSWORD,
                                                 kind=AccountKind.SYSTEM_CLIENT,
                                                 display_name="bench"))
            uow.commit()
        with c.session_factory() as s:
            code = s.scalars(select(Project.code).where(Project.domain == "engineering")).one()
            account = s.scalars(select(Account).where(Account.username == "bench-system")).one()
            bearer, _ = issue_token(s, account, c.clock.now())
            s.commit()
        with c.uow() as uow:
            answer = _project(uow, code)
        ours, server, thread = serve(create_app(c))
        servers.append((server, thread))
        bare, server, thread = serve(bare_app(c, answer))
        servers.append((server, thread))
        body, auth = envelope(code), {"Authorization": f"Bearer {bearer}"}
        token_body = envelope(code, username_token("bench-system", PASSWORD))
        targets = {
            "ours (bearer token)": (f"{ours}/ws/soap11/query", body, auth),
            "ours (UsernameToken, argon2)": (f"{ours}/ws/soap11/query", token_body, {}),
            "bare spyne, same query": (f"{bare}/bare/", body, {}),
            "bare spyne, constant answer": (f"{bare}/constant/", body, {}),
        }
        for where, payload, headers in targets.values():  # warm-up, and a check
            rate(where, payload, headers, 20, args.threads)
        runs: dict[str, list[float]] = {name: [] for name in targets}
        for _ in range(args.repeat):
            for name, (where, payload, headers) in targets.items():
                calls = args.calls // 10 if "argon2" in name else args.calls
                runs[name].append(rate(where, payload, headers, calls, args.threads))
        ratios = [o / b for o, b in zip(runs["ours (bearer token)"],
                                         runs["bare spyne, same query"], strict=True)]
        print(f"inbound SOAP GetProject, {args.threads} client threads, {args.repeat} rounds")
        for name, values in runs.items():
            print(f"  {name:30} {max(values):8.1f} calls/s (best)")
        print(f"  ratio ours/bare (bearer, median)  {statistics.median(ratios):6.2f}   "
              "(target >= 0.5)")
        c.close()
    finally:
        for server, thread in servers:
            server.should_exit = True
            thread.join(timeout=10)
        drop_database(url)


if __name__ == "__main__":
    main()
