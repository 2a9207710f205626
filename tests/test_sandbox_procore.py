"""The Procore emulator speaks Procore's protocol (procore-api.md) over real HTTP."""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests

from coi_desktop.sync.sandbox import (
    SANDBOX_CLIENT_ID,
    SANDBOX_CLIENT_SECRET,
    Fault,
    FaultKind,
    RateLimits,
    SandboxServers,
)

COMPANY = 4280
OOB = "urn:ietf:wg:oauth:2.0:oob"


class FakeClock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def servers(servers: SandboxServers, clock: FakeClock) -> SandboxServers:
    servers.procore.clock = clock
    return servers


def oauth(servers: SandboxServers, http: requests.Session, **form: str) -> requests.Response:
    data = {"client_id": SANDBOX_CLIENT_ID, "client_secret": SANDBOX_CLIENT_SECRET, **form}
    return http.post(servers.procore_login_url + "/oauth/token", data=data, timeout=5)


def sign_in(servers: SandboxServers, http: requests.Session) -> dict[str, Any]:
    """Authorization-code sign-in, as the desktop app does it."""
    code = servers.procore.oauth.mint_authorization_code(SANDBOX_CLIENT_ID)
    answer = oauth(servers, http, grant_type="authorization_code", code=code, redirect_uri=OOB)
    assert answer.status_code == 200, answer.text
    tokens: dict[str, Any] = answer.json()
    return tokens


class Procore:
    def __init__(self, servers: SandboxServers, http: requests.Session, access: str) -> None:
        self.url, self.http, self.access = servers.procore_api_url, http, access

    def call(
        self, method: str, path: str, *, company: int | None = COMPANY, **kw: Any
    ) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.access}"}
        if company is not None:
            headers["Procore-Company-Id"] = str(company)
        url = path if path.startswith("http") else f"{self.url}/rest/v1.0{path}"
        return self.http.request(method, url, headers=headers, timeout=5, **kw)


@pytest.fixture
def procore(servers: SandboxServers, http: requests.Session) -> Procore:
    return Procore(servers, http, sign_in(servers, http)["access_token"])


def insurance(**fields: Any) -> dict[str, Any]:
    base = {
        "name": "Hartford Fire",
        "insurance_type": "General Liability",
        "policy_number": "CGL1234567",
        "effective_date": "2026-01-01",
        "expiration_date": "2027-01-01",
        "limit": "1000000.00",
        "status": "compliant",
        "origin_id": "coidesk:p1201:v5512:general_liability:CGL1234567",
    }
    base.update(fields)
    return base


PROJECT_INS = "/projects/1201/vendors/5512/insurances"
COMPANY_INS = f"/companies/{COMPANY}/vendors/5512/insurances"


# -- OAuth --------------------------------------------------------------------------------------


def test_client_credentials_gives_a_token_without_refresh(
    servers: SandboxServers, http: requests.Session
) -> None:
    answer = oauth(servers, http, grant_type="client_credentials")
    assert answer.status_code == 200
    body = answer.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 5400
    assert isinstance(body["created_at"], int)
    assert "refresh_token" not in body
    api = Procore(servers, http, body["access_token"])
    assert api.call("GET", "/projects", params={"company_id": COMPANY}).status_code == 200


def test_token_endpoint_accepts_json_and_basic_auth(
    servers: SandboxServers, http: requests.Session
) -> None:
    as_json = http.post(
        servers.procore_login_url + "/oauth/token",
        timeout=5,
        json={
            "grant_type": "client_credentials",
            "client_id": SANDBOX_CLIENT_ID,
            "client_secret": SANDBOX_CLIENT_SECRET,
        },
    )
    assert as_json.status_code == 200
    basic = http.post(
        servers.procore_login_url + "/oauth/token",
        timeout=5,
        data={"grant_type": "client_credentials"},
        auth=(SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET),
    )
    assert basic.status_code == 200


def test_wrong_client_secret_is_401_invalid_client(
    servers: SandboxServers, http: requests.Session
) -> None:
    answer = oauth(servers, http, grant_type="client_credentials", client_secret="guess")
    assert answer.status_code == 401
    assert answer.json()["error"] == "invalid_client"
    assert oauth(servers, http, grant_type="password").json()["error"] == "unsupported_grant_type"


def test_authorization_code_is_single_use_and_needs_the_oob_redirect(
    servers: SandboxServers, http: requests.Session
) -> None:
    code = servers.procore.oauth.mint_authorization_code(SANDBOX_CLIENT_ID)
    wrong = oauth(
        servers,
        http,
        grant_type="authorization_code",
        code=code,
        redirect_uri="http://127.0.0.1/callback",
    )
    assert (wrong.status_code, wrong.json()["error"]) == (400, "invalid_grant")
    code = servers.procore.oauth.mint_authorization_code(SANDBOX_CLIENT_ID)
    first = oauth(servers, http, grant_type="authorization_code", code=code, redirect_uri=OOB)
    assert first.status_code == 200
    assert {"access_token", "refresh_token", "expires_in", "created_at"} <= set(first.json())
    again = oauth(servers, http, grant_type="authorization_code", code=code, redirect_uri=OOB)
    assert (again.status_code, again.json()["error"]) == (400, "invalid_grant")


def test_authorization_code_expires_after_ten_minutes(
    servers: SandboxServers, http: requests.Session, clock: FakeClock
) -> None:
    code = servers.procore.oauth.mint_authorization_code(SANDBOX_CLIENT_ID)
    clock.now += 601
    answer = oauth(servers, http, grant_type="authorization_code", code=code, redirect_uri=OOB)
    assert answer.status_code == 400


def test_authorize_page_and_admin_route_mint_codes(
    servers: SandboxServers, http: requests.Session
) -> None:
    page = http.get(
        servers.procore_login_url + "/oauth/authorize",
        timeout=5,
        params={"client_id": SANDBOX_CLIENT_ID, "response_type": "code", "redirect_uri": OOB},
    )
    assert page.status_code == 200
    match = re.search(r"<pre id='code'>([^<]+)</pre>", page.text)
    assert match is not None
    assert (
        oauth(
            servers, http, grant_type="authorization_code", code=match.group(1), redirect_uri=OOB
        ).status_code
        == 200
    )
    minted = http.post(
        servers.procore_root + "/_sandbox/authorization-code",
        json={"client_id": SANDBOX_CLIENT_ID},
        timeout=5,
    ).json()["code"]
    assert (
        oauth(
            servers, http, grant_type="authorization_code", code=minted, redirect_uri=OOB
        ).status_code
        == 200
    )


def test_refresh_token_works_once(servers: SandboxServers, http: requests.Session) -> None:
    tokens = sign_in(servers, http)
    fresh = oauth(servers, http, grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    assert fresh.status_code == 200
    assert fresh.json()["refresh_token"] != tokens["refresh_token"]
    reused = oauth(servers, http, grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    assert (reused.status_code, reused.json()["error"]) == (400, "invalid_grant")
    chained = oauth(
        servers, http, grant_type="refresh_token", refresh_token=fresh.json()["refresh_token"]
    )
    assert chained.status_code == 200


def test_refresh_token_is_dead_even_when_the_answer_was_lost(
    servers: SandboxServers, http: requests.Session
) -> None:
    tokens = sign_in(servers, http)
    servers.procore_faults.push(Fault(FaultKind.DROP_AFTER_APPLY, path="/oauth/token"))
    with pytest.raises(requests.ConnectionError):
        oauth(servers, http, grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    retry = oauth(servers, http, grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    assert (retry.status_code, retry.json()["error"]) == (400, "invalid_grant")


# -- API gatekeeping ----------------------------------------------------------------------------


def test_missing_or_unknown_token_is_401(servers: SandboxServers, http: requests.Session) -> None:
    for headers in ({}, {"Authorization": "Bearer forged"}):
        answer = http.get(
            servers.procore_api_url + "/rest/v1.0/projects",
            params={"company_id": COMPANY},
            headers={**headers, "Procore-Company-Id": str(COMPANY)},
            timeout=5,
        )
        assert answer.status_code == 401
        assert answer.json()["errors"] == "The access token is invalid"


def test_access_tokens_expire(servers: SandboxServers, procore: Procore, clock: FakeClock) -> None:
    assert procore.call("GET", "/vendors", params={"company_id": COMPANY}).status_code == 200
    clock.now += 5401
    assert procore.call("GET", "/vendors", params={"company_id": COMPANY}).status_code == 401


def test_company_header_is_required(procore: Procore) -> None:
    missing = procore.call("GET", PROJECT_INS, company=None)
    assert missing.status_code == 400
    assert missing.json() == {"errors": "Missing Procore-Company-Id header!"}
    assert procore.call("GET", PROJECT_INS, company=999).status_code == 404


# -- insurance records ----------------------------------------------------------------------


@pytest.mark.parametrize("path", [PROJECT_INS, COMPANY_INS])
def test_insurance_create_read_update_delete(procore: Procore, path: str) -> None:
    created = procore.call("POST", path, json={"insurance": insurance()})
    assert created.status_code == 201
    record = created.json()
    assert record["vendor_id"] == 5512
    assert record["insurance_provider"] == "Hartford Fire"
    assert record["limit"] == "1000000.00"
    one = procore.call("GET", f"{path}/{record['id']}")
    assert one.json()["policy_number"] == "CGL1234567"
    patched = procore.call(
        "PATCH",
        f"{path}/{record['id']}",
        json={"insurance": {"status": "expired", "notes": "lapsed"}},
    )
    assert patched.status_code == 200
    assert (patched.json()["status"], patched.json()["notes"]) == ("expired", "lapsed")
    assert procore.call("DELETE", f"{path}/{record['id']}").status_code == 204
    assert procore.call("GET", f"{path}/{record['id']}").status_code == 404


def test_insurance_validation_and_duplicate_origin_id(procore: Procore) -> None:
    bad = procore.call(
        "POST",
        PROJECT_INS,
        json={"insurance": insurance(status="fine", effective_date="2026/01/01", limit=1000000)},
    )
    assert bad.status_code == 422
    assert set(bad.json()["errors"]) == {"status", "effective_date", "limit"}
    assert procore.call("POST", PROJECT_INS, json={"insurance": insurance()}).status_code == 201
    # origin_id is unique across the whole company, both levels.
    duplicate = procore.call("POST", COMPANY_INS, json={"insurance": insurance()})
    assert duplicate.status_code == 409
    assert "origin_id" in duplicate.json()["errors"]
    assert procore.call("POST", PROJECT_INS, json={"not": "wrapped"}).status_code == 400


def test_a_record_is_only_visible_at_its_own_level(procore: Procore) -> None:
    record = procore.call("POST", PROJECT_INS, json={"insurance": insurance()}).json()
    assert procore.call("GET", f"{COMPANY_INS}/{record['id']}").status_code == 404
    assert procore.call("GET", COMPANY_INS).json() == []
    assert procore.call("GET", "/projects/1201/vendors/999/insurances").status_code == 404


def test_list_pages_follow_the_link_header(procore: Procore) -> None:
    for n in range(5):
        procore.call("POST", PROJECT_INS, json={"insurance": insurance(origin_id=f"o-{n}")})
    seen: list[int] = []
    answer = procore.call("GET", PROJECT_INS, params={"per_page": 2})
    pages = 0
    while True:
        pages += 1
        assert answer.headers["Total"] == "5"
        assert answer.headers["Per-Page"] == "2"
        seen += [r["id"] for r in answer.json()]
        if "next" not in answer.links:
            break
        answer = procore.call("GET", answer.links["next"]["url"])
    assert pages == 3
    assert len(set(seen)) == 5
    assert 'rel="last"' in answer.headers["Link"]


def test_sync_upserts_by_origin_id_without_duplicates(
    servers: SandboxServers, procore: Procore
) -> None:
    items = [
        insurance(),
        insurance(
            insurance_type="Automobile Liability",
            policy_number="BA9",
            origin_id="coidesk:p1201:v5512:automobile_liability:BA9",
        ),
    ]
    first = procore.call("PATCH", f"{PROJECT_INS}/sync", json={"updates": items})
    assert first.status_code == 200
    assert first.json()["errors"] == []
    ids = [e["id"] for e in first.json()["entities"]]
    # The retry of the same push updates the same records.
    items[0]["status"] = "expired"
    retry = procore.call("PATCH", f"{PROJECT_INS}/sync", json={"updates": items})
    assert [e["id"] for e in retry.json()["entities"]] == ids
    assert retry.json()["entities"][0]["status"] == "expired"
    assert set(servers.procore.records_per_origin_id().values()) == {1}
    assert len(servers.procore.insurances()) == 2


def test_sync_matches_by_id_first(procore: Procore) -> None:
    record = procore.call("POST", PROJECT_INS, json={"insurance": insurance()}).json()
    answer = procore.call(
        "PATCH", f"{PROJECT_INS}/sync", json={"updates": [{"id": record["id"], "notes": "by id"}]}
    )
    assert answer.json()["entities"][0]["id"] == record["id"]
    assert answer.json()["entities"][0]["notes"] == "by id"
    missing = procore.call("PATCH", f"{PROJECT_INS}/sync", json={"updates": [{"id": 1}]})
    assert "id" in missing.json()["errors"][0]["errors"]


def test_sync_reports_per_item_errors_in_a_200(servers: SandboxServers, procore: Procore) -> None:
    procore.call(
        "PATCH",
        f"{COMPANY_INS}/sync",
        json={"updates": [insurance(origin_id="coidesk:c:v5512:wc:WC1")]},
    )
    updates = [
        insurance(origin_id="ok-1"),
        insurance(origin_id="bad-status", status="great"),
        insurance(origin_id="bad-date", expiration_date="2027-02-30"),
        insurance(origin_id="bad-limit", limit=1000000),
        insurance(origin_id="coidesk:c:v5512:wc:WC1"),  # lives at the company level
    ]
    answer = procore.call("PATCH", f"{PROJECT_INS}/sync", json={"updates": updates})
    assert answer.status_code == 200
    body = answer.json()
    assert [e["origin_id"] for e in body["entities"]] == ["ok-1"]
    failed = {e["origin_id"]: set(e["errors"]) for e in body["errors"]}
    assert failed == {
        "bad-status": {"status"},
        "bad-date": {"expiration_date"},
        "bad-limit": {"limit"},
        "coidesk:c:v5512:wc:WC1": {"origin_id"},
    }
    assert body["errors"][0]["policy_number"] == "CGL1234567"  # the item comes back whole
    assert servers.procore.records_per_origin_id()["coidesk:c:v5512:wc:WC1"] == 1


def test_sync_takes_at_most_1000_items(procore: Procore) -> None:
    too_many = [{"origin_id": f"o-{n}"} for n in range(1001)]
    assert (
        procore.call("PATCH", f"{PROJECT_INS}/sync", json={"updates": too_many}).status_code == 422
    )
    assert procore.call("PATCH", f"{PROJECT_INS}/sync", json={"nope": []}).status_code == 400


# -- commitments and listings ---------------------------------------------------------------


@pytest.mark.parametrize("kind", ["work_order_contracts", "purchase_order_contracts"])
def test_commitment_compliance_flag(servers: SandboxServers, procore: Procore, kind: str) -> None:
    if kind == "purchase_order_contracts":
        servers.procore.add_contract(77, 1201, 5512, kind=kind)
    path = f"/projects/1201/{kind}/77/compliance"
    assert procore.call("GET", path).json() == {
        "id": 77,
        "insurance_status": None,
        "insurance_notes": None,
        "derived_insurance_status": None,
    }
    procore.call("PATCH", f"{PROJECT_INS}/sync", json={"updates": [insurance()]})
    patched = procore.call(
        "PATCH",
        path,
        json={"insurance_status": "compliant", "insurance_notes": "COI Desk: compliant"},
    )
    assert patched.status_code == 200
    assert patched.json()["insurance_status"] == "compliant"
    assert patched.json()["derived_insurance_status"] == "compliant"
    bad = procore.call("PATCH", path, json={"insurance_status": "fine"})
    assert bad.status_code == 422
    assert "insurance_status" in bad.json()["errors"]
    assert procore.call("GET", f"/projects/1201/{kind}/404/compliance").status_code == 404


def test_listings_name_what_seeding_created(procore: Procore) -> None:
    vendors = procore.call("GET", "/vendors", params={"company_id": COMPANY}).json()
    assert {v["id"] for v in vendors} == {5512, 5513}
    projects = procore.call("GET", "/projects", params={"company_id": COMPANY}).json()
    assert [(p["id"], p["name"]) for p in projects] == [
        (1201, "Riverside Tower"),
        (1202, "Harbor Lofts"),
    ]
    work_orders = procore.call("GET", "/work_order_contracts", params={"project_id": 1201}).json()
    assert [(w["id"], w["vendor"]) for w in work_orders] == [
        (77, {"id": 5512, "company": "Acme Drywall LLC"}),
        (78, {"id": 5513, "company": "Beta Electric Inc"}),
    ]
    commitments = procore.call("GET", "/commitments", params={"project_id": 1201})
    assert commitments.json()[0]["vendor"] == {"id": 5512, "name": "Acme Drywall LLC"}
    paged = procore.call("GET", "/commitments", params={"project_id": 1201, "per_page": 1})
    assert paged.headers["Total"] == "2"
    assert "next" in paged.links
    assert procore.call("GET", "/vendors").status_code == 400
    assert procore.call("GET", "/work_order_contracts", params={"project_id": 9}).status_code == 404


# -- rate limits --------------------------------------------------------------------------------


def test_every_answer_carries_rate_limit_headers(
    servers: SandboxServers, procore: Procore, clock: FakeClock
) -> None:
    servers.procore.set_rate_limits(RateLimits(hourly=600, spike=25))
    answer = procore.call("GET", "/vendors", params={"company_id": COMPANY})
    assert answer.headers["X-Rate-Limit-Limit"] == "25"  # the spike window is nearer
    assert answer.headers["X-Rate-Limit-Remaining"] == "24"
    assert answer.headers["X-Rate-Limit-Reset"] == str(int(clock.now) + 10)
    unauthorized = procore.call("GET", "/vendors", company=None)
    assert unauthorized.headers["X-Rate-Limit-Remaining"] == "23"  # failed calls count too


def test_over_the_limit_is_429_with_retry_after(
    servers: SandboxServers, procore: Procore, clock: FakeClock
) -> None:
    servers.procore.set_rate_limits(RateLimits(hourly=600, spike=5))
    answers = [procore.call("GET", "/vendors", params={"company_id": COMPANY}) for _ in range(7)]
    assert [a.status_code for a in answers] == [200] * 5 + [429] * 2
    assert answers[5].headers["Retry-After"] == "10"
    assert answers[5].headers["X-Rate-Limit-Remaining"] == "0"
    counters = servers.procore.counters_snapshot()
    assert (counters["requests_served"], counters["rate_limited"]) == (7, 2)
    clock.now += 10
    assert procore.call("GET", "/vendors", params={"company_id": COMPANY}).status_code == 200


def test_hourly_window_is_reported_when_nearer(
    servers: SandboxServers, procore: Procore, clock: FakeClock
) -> None:
    servers.procore.set_rate_limits(RateLimits(hourly=3, spike=25))
    answer = procore.call("GET", "/vendors", params={"company_id": COMPANY})
    assert answer.headers["X-Rate-Limit-Limit"] == "3"
    assert answer.headers["X-Rate-Limit-Reset"] == str(int(clock.now) + 3600)


def test_rate_limits_and_counters_over_the_admin_routes(
    servers: SandboxServers, procore: Procore, http: requests.Session
) -> None:
    http.post(
        servers.procore_root + "/_sandbox/rate-limits", json={"hourly": 100, "spike": 1}, timeout=5
    )
    codes = [
        procore.call("GET", "/vendors", params={"company_id": COMPANY}).status_code
        for _ in range(2)
    ]
    assert codes == [200, 429]
    stats = http.get(servers.procore_root + "/_sandbox/stats", timeout=5).json()
    assert stats["rate_limited"] == 1
    assert stats["by_status"] == {"200": 1, "429": 1}


# -- how real companies differ (issue 12) ------------------------------------------------------


def test_page_one_link_header_is_procores(procore: Procore) -> None:
    for n in range(5):
        procore.call("POST", PROJECT_INS, json={"insurance": insurance(origin_id=f"o-{n}")})
    rels = []
    for page in (1, 2, 3):
        answer = procore.call("GET", PROJECT_INS, params={"per_page": 2, "page": page})
        rels.append(sorted(answer.links))
    # developers.procore.com/documentation/pagination: page 1 has next and last only.
    assert rels == [["last", "next"], ["first", "last", "next"], ["first", "last", "prev"]]
    single = procore.call("GET", PROJECT_INS, params={"per_page": 10})
    assert "Link" not in single.headers and single.headers["Total"] == "5"


def test_purchase_orders_have_their_own_listing_and_path(
    servers: SandboxServers, procore: Procore
) -> None:
    servers.procore.add_contract(91, 1201, 5512, kind="purchase_order_contracts")
    orders = procore.call("GET", "/purchase_order_contracts", params={"project_id": 1201})
    assert [o["id"] for o in orders.json()] == [91]
    subcontracts = procore.call("GET", "/work_order_contracts", params={"project_id": 1201})
    assert 91 not in {w["id"] for w in subcontracts.json()}
    wrong = procore.call(
        "PATCH",
        "/projects/1201/work_order_contracts/91/compliance",
        json={"insurance_status": "compliant"},
    )
    assert wrong.status_code == 404


def test_without_procore_pay_the_commitment_flag_is_refused(
    servers: SandboxServers, procore: Procore
) -> None:
    servers.procore.set_pay_insurance(COMPANY, False)
    refused = procore.call(
        "PATCH",
        "/projects/1201/work_order_contracts/77/compliance",
        json={"insurance_status": "compliant"},
    )
    assert refused.status_code == 403
    assert "Procore Pay" in refused.json()["error"]["message"]
    # The Directory records still work: they are the compliance signal there.
    assert (
        procore.call("PATCH", f"{PROJECT_INS}/sync", json={"updates": [insurance()]}).json()[
            "errors"
        ]
        == []
    )


def test_project_level_records_need_the_vendor_in_the_project_directory(
    servers: SandboxServers, procore: Procore
) -> None:
    on_project = procore.call("GET", "/projects/1201/vendors").json()
    assert {v["id"] for v in on_project} == {5512, 5513}
    assert procore.call("GET", "/projects/1202/vendors/5513/insurances").status_code == 404
    servers.procore.add_project_vendor(1202, 5513)
    assert procore.call("GET", "/projects/1202/vendors/5513/insurances").status_code == 200
    # Company-level records do not care about projects.
    assert procore.call("GET", f"/companies/{COMPANY}/vendors/5513/insurances").status_code == 200


def test_records_typed_by_a_person_default_to_expiry_emails(procore: Procore) -> None:
    typed = procore.call(
        "POST",
        COMPANY_INS,
        json={"insurance": {"insurance_type": "General Liability", "policy_number": "X1"}},
    ).json()
    assert typed["enable_expired_insurance_notifications"] is True  # Procore's default
    assert typed.get("origin_id") is None
    ours = procore.call(
        "PATCH",
        f"{COMPANY_INS}/sync",
        json={
            "updates": [
                {
                    "id": typed["id"],
                    "origin_id": "coidesk:c:v5512:general_liability:X1",
                    "enable_expired_insurance_notifications": False,
                }
            ]
        },
    ).json()["entities"][0]
    assert (ours["id"], ours["enable_expired_insurance_notifications"]) == (typed["id"], False)


@pytest.mark.parametrize(
    ("permission", "path", "allowed"),
    [
        ("company_directory", COMPANY_INS, PROJECT_INS),
        ("project_directory", PROJECT_INS, COMPANY_INS),
        ("commitments", "/projects/1201/work_order_contracts/77/compliance", COMPANY_INS),
    ],
)
def test_a_missing_permission_is_a_403_in_procores_error_shape(
    servers: SandboxServers, procore: Procore, permission: str, path: str, allowed: str
) -> None:
    servers.procore.revoke(permission)
    refused = procore.call("GET", path)
    assert refused.status_code == 403
    assert set(refused.json()["error"]) == {"code", "message"}
    assert procore.call("GET", allowed).status_code == 200
    servers.procore.hide_project(1201)
    assert procore.call("GET", "/projects/1201/vendors").status_code == 403


def test_me_names_the_account(
    servers: SandboxServers, procore: Procore, http: requests.Session
) -> None:
    assert procore.call("GET", "/me").json()["name"] == "Riley Reviewer"  # signed in as a person
    service = oauth(servers, http, grant_type="client_credentials").json()["access_token"]
    dmsa = Procore(servers, http, service).call("GET", "/me").json()
    assert dmsa["name"] == "COI Desk Sync"


def test_admin_routes_reshape_the_company_and_type_records(
    servers: SandboxServers, procore: Procore, http: requests.Session
) -> None:
    admin = servers.procore_root + "/_sandbox"
    http.post(
        f"{admin}/company",
        json={
            "pay_insurance": {str(COMPANY): False},
            "revoke": ["company_directory"],
            "remove_project_vendors": [[1201, 5512]],
        },
        timeout=5,
    ).raise_for_status()
    assert procore.call("GET", COMPANY_INS).status_code == 403
    assert procore.call("GET", PROJECT_INS).status_code == 404
    assert (
        procore.call(
            "PATCH",
            "/projects/1201/work_order_contracts/77/compliance",
            json={"insurance_status": "compliant"},
        ).status_code
        == 403
    )
    http.post(
        f"{admin}/company",
        json={"grant_all": True, "add_project_vendors": [[1201, 5512]]},
        timeout=5,
    )
    typed = http.post(
        f"{admin}/typed-insurance",
        json={
            "company_id": COMPANY,
            "vendor_id": 5512,
            "project_id": 1201,
            "insurance": {"insurance_type": "General Liability", "policy_number": "T1"},
        },
        timeout=5,
    )
    assert typed.status_code == 201
    assert [r["policy_number"] for r in procore.call("GET", PROJECT_INS).json()] == ["T1"]
    assert procore.call("GET", COMPANY_INS).status_code == 200
