"""Admins over the API: the last active admin cannot be disabled; disabled accounts are enabled
again through ``POST /api/v1/users/{username}/enable``."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.unit.web.web_sample import PASSWORD, bearer, token_for


def test_the_last_admin_cannot_disable_themselves(client: TestClient,
                                                  admin: dict[str, str]) -> None:
    refused = client.post("/api/v1/users/adam/disable", headers=admin)
    assert refused.status_code == 400
    assert "last active admin" in refused.json()["detail"]
    users = {u["username"]: u["active"] for u in client.get("/api/v1/users",
                                                             headers=admin).json()}
    assert users["adam"] is True
    assert client.get("/api/v1/auth/me", headers=admin).status_code == 200


def test_a_second_admin_may_be_disabled_and_enabled(client: TestClient,
                                                    admin: dict[str, str]) -> None:
    client.post("/api/v1/users", json={"username": "eve", "role": "admin"}, headers=admin)
    assert client.post("/api/v1/users/eve/disable", headers=admin).json()["active"] is False
    enabled = client.post("/api/v1/users/eve/enable", headers=admin)
    assert enabled.status_code == 200 and enabled.json()["active"] is True
    # With eve active again, adam may go; then eve is the last one.
    assert client.post("/api/v1/users/adam/disable", headers=admin).json()["active"] is False


def test_enable_lets_the_user_log_in_again_and_is_audited(client: TestClient,
                                                         admin: dict[str, str]) -> None:
    client.post("/api/v1/users/ana/disable", headers=admin)
    assert client.post("/api/v1/auth/token", data={"username": "ana", "password": PASSWORD}
                       ).status_code == 401
    assert client.post("/api/v1/users/ana/enable", headers=admin).json()["active"] is True
    assert client.get("/api/v1/auth/me", headers=token_for(client, "ana")).status_code == 200
    entries = client.get("/api/v1/audit?action=enable_user", headers=bearer("sam")).json()
    assert [(e["actor"], e["target_id"]) for e in entries] == [("adam", "ana")]


def test_only_admins_enable(client: TestClient, admin: dict[str, str]) -> None:
    client.post("/api/v1/users/ana/disable", headers=admin)
    assert client.post("/api/v1/users/ana/enable", headers=bearer("sam")).status_code == 403
    assert client.post("/api/v1/users/ghost/enable", headers=admin).status_code in (400, 404)
