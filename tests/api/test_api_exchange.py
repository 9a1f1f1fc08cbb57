"""Operating the exchange over REST: who may read, who may act, and that acting is audited."""

from __future__ import annotations

from sqlalchemy import select

from core.events import DomainEvent, EventType
from core.model.account import AccountKind
from core.model.audit import AuditEntry
from exchange.model import Delivery
from exchange.relay import relay_batch
from tests.api.conftest import Api
from tests.conftest import lenient_uow

TARGET = {"kind": "http_json", "endpoint": "http://127.0.0.1:9/", "max_attempts": 3}


def parked_delivery(api: Api, admin: dict[str, str]) -> int:
    """One delivery, parked, made through the API's own configuration endpoints."""
    assert api.client.put("/api/v1/exchange/targets/peer", json=TARGET,
                          headers=admin).status_code == 200
    r = api.client.post("/api/v1/exchange/routes", headers=admin,
                        json={"event_type": "project.*", "target": "peer"})
    assert r.status_code == 201, r.text
    c = api.container
    with lenient_uow(c) as uow:  # a placeholder payload
        uow.emit(DomainEvent(EventType.PROJECT_UPDATED, "project", "P", "project:P", {}), "t")
        uow.commit()
    with c.session_factory() as s:
        (delivery_id,), _ = relay_batch(s, c.clock.now())
        s.commit()
        d = s.get(Delivery, delivery_id)
        assert d is not None
        d.status, d.last_error = "parked", "HTTP 400 (not retryable)"
        s.commit()
    return delivery_id


def test_oversight_reads_parties_do_not(api: Api) -> None:
    admin = api.account("admin", AccountKind.ADMIN)
    supervisor = api.account("sup", AccountKind.SUPERVISOR)
    _, party = api.register("p", "MA2Y0001", ["bidder"])
    delivery_id = parked_delivery(api, admin)
    listing = api.client.get("/api/v1/exchange/deliveries?status=parked", headers=supervisor)
    assert listing.status_code == 200 and listing.json()["total"] == 1
    one = api.client.get(f"/api/v1/exchange/deliveries/{delivery_id}", headers=supervisor)
    assert one.json()["last_error"] == "HTTP 400 (not retryable)"
    stats = api.client.get("/api/v1/exchange/stats", headers=supervisor).json()
    assert stats["targets"][0]["by_status"]["parked"] == 1
    for url in ("/api/v1/exchange/deliveries", "/api/v1/exchange/stats",
                "/api/v1/exchange/targets", "/api/v1/exchange/routes"):
        assert api.client.get(url, headers=party).json()["code"] == "FORBIDDEN"


def test_only_admins_replay_discard_and_configure(api: Api) -> None:
    admin = api.account("admin", AccountKind.ADMIN)
    staff = api.account("staff", AccountKind.CENTRE_STAFF)
    delivery_id = parked_delivery(api, admin)
    api.unchanged_after("POST", "/api/v1/exchange/deliveries/replay", 403, "ROLE_NOT_ALLOWED",
                        headers=staff, json={"ids": [delivery_id]})
    api.unchanged_after("POST", "/api/v1/exchange/deliveries/discard", 403, "ROLE_NOT_ALLOWED",
                        headers=staff, json={"ids": [delivery_id], "reason": "x"})
    api.unchanged_after("PUT", "/api/v1/exchange/targets/peer", 403, "ROLE_NOT_ALLOWED",
                        headers=staff, json=TARGET)
    api.unchanged_after("POST", "/api/v1/exchange/deliveries/replay", 422, "SELECTION_EMPTY",
                        headers=admin, json={})
    r = api.client.post("/api/v1/exchange/deliveries/replay", headers=admin,
                        json={"status": "parked"})
    assert r.json()["affected"] == [delivery_id]
    with api.container.session_factory() as s:
        assert s.get(Delivery, delivery_id).status == "pending"  # type: ignore[union-attr]
        actions = s.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)).all()
    assert "delivery.replay" in actions and "exchange.target.put" in actions
    r = api.client.post("/api/v1/exchange/deliveries/discard", headers=admin,
                        json={"ids": [delivery_id], "reason": "superseded"})
    assert r.json()["affected"] == [delivery_id]


def test_bad_configuration_is_refused(api: Api) -> None:
    admin = api.account("admin", AccountKind.ADMIN)
    api.unchanged_after("PUT", "/api/v1/exchange/targets/peer", 422, "TARGET_ENDPOINT_INVALID",
                        headers=admin, json={**TARGET, "endpoint": "ftp://x/"})
    api.unchanged_after("PUT", "/api/v1/exchange/targets/Bad Name", 422, "TARGET_NAME_INVALID",
                        headers=admin, json=TARGET)
    api.unchanged_after("POST", "/api/v1/exchange/routes", 404, "TARGET_NOT_FOUND",
                        headers=admin, json={"event_type": "*", "target": "nobody"})
    api.client.put("/api/v1/exchange/targets/peer", json=TARGET, headers=admin)
    api.unchanged_after("POST", "/api/v1/exchange/routes", 422, "ROUTE_EVENT_INVALID",
                        headers=admin, json={"event_type": "DROP TABLE", "target": "peer"})
    api.client.post("/api/v1/exchange/routes", headers=admin,
                    json={"event_type": "*", "target": "peer"})
    api.unchanged_after("POST", "/api/v1/exchange/routes", 409, "ROUTE_EXISTS",
                        headers=admin, json={"event_type": "*", "target": "peer"})


def test_metrics_speak_prometheus(api: Api) -> None:
    admin = api.account("admin", AccountKind.ADMIN)
    parked_delivery(api, admin)
    text = api.client.get("/metrics").text
    assert 'ggzy_deliveries{target="peer",status="parked"} 1' in text
    assert "# TYPE ggzy_outbox_unrelayed gauge" in text
    assert "ggzy_outbox_unrelayed 0" in text


def test_a_route_names_its_domain_and_an_unknown_one_is_refused(api: Api) -> None:
    admin = api.account("admin", AccountKind.ADMIN)
    api.client.put("/api/v1/exchange/targets/peer", json=TARGET, headers=admin)
    api.unchanged_after("POST", "/api/v1/exchange/routes", 422, "ROUTE_DOMAIN_INVALID",
                        headers=admin, json={"event_type": "*", "target": "peer",
                                             "domain": "gcjs"})
    made = api.client.post("/api/v1/exchange/routes", headers=admin, json={
        "event_type": "round.*", "target": "peer", "domain": "gov_procurement"})
    assert made.status_code == 201 and made.json()["domain"] == "gov_procurement"
    route_id = made.json()["id"]
    url = f"/api/v1/exchange/routes/{route_id}/domain"
    api.unchanged_after("PUT", url, 422, "ROUTE_DOMAIN_INVALID", headers=admin,
                        json={"domain": "工程建设"})
    api.unchanged_after("PUT", "/api/v1/exchange/routes/999999/domain", 404, "ROUTE_NOT_FOUND",
                        headers=admin, json={"domain": None})
    widened = api.client.put(url, headers=admin, json={"domain": None})
    assert widened.status_code == 200 and widened.json()["domain"] is None
    listed = api.client.get("/api/v1/exchange/routes", headers=admin).json()
    assert [(r["event_type"], r["domain"]) for r in listed] == [("round.*", None)]
