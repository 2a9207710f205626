"""The Procore emulator: OAuth under ``/login``, REST under ``/rest/v1.0``, admin ``/_sandbox``.

One port serves both hosts Procore has (login and API) under distinct base URLs. Every API
call is counted against the rate limits first — rejected, faulted and failed calls too, as
Procore counts them — and every API answer carries the ``X-Rate-Limit-*`` headers.
"""

from __future__ import annotations

import base64
import binascii
import html
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from coi_desktop.sync.sandbox.faults import COMMON_KINDS, FaultInjector, FaultKind
from coi_desktop.sync.sandbox.paging import BadPaging, paginate
from coi_desktop.sync.sandbox.procore_oauth import OOB_REDIRECT_URI
from coi_desktop.sync.sandbox.procore_state import (
    CONTRACT_KINDS,
    FORBIDDEN_MESSAGE,
    MAX_SYNC_ITEMS,
    ProcoreState,
    Scope,
)
from coi_desktop.sync.sandbox.ratelimit import RateLimits, RateVerdict
from coi_desktop.sync.sandbox.wsgi import (
    BadJson,
    StartResponse,
    WSGIEnvironment,
    admin_routes,
    bearer_token,
    json_response,
    read_json,
    serve_admin,
)

LOGIN_PREFIX = "/login"
API_PREFIX = "/rest/v1.0"
INVALID_TOKEN = "The access token is invalid"

JSON = dict[str, Any]
Handler = Callable[..., Response]


def _errors(status: int, message: Any) -> Response:
    return json_response({"errors": message}, status)


def _oauth_error(status: int, error: str, description: str) -> Response:
    return json_response({"error": error, "error_description": description}, status)


class ProcoreApp:
    def __init__(self, state: ProcoreState, faults: FaultInjector | None = None) -> None:
        self.state = state
        self.faults = faults or FaultInjector(
            (*COMMON_KINDS, FaultKind.TOKEN_EXPIRY), on_token_expiry=self._expire_presented
        )
        a = API_PREFIX
        contract = f"{a}/projects/<int:project_id>/<any({', '.join(CONTRACT_KINDS)}):kind>"
        rules = [
            Rule(f"{a}/me", endpoint="me", methods=["GET"]),
            Rule(f"{a}/vendors", endpoint="vendors", methods=["GET"]),
            Rule(
                f"{a}/projects/<int:project_id>/vendors",
                endpoint="project_vendors",
                methods=["GET"],
            ),
            Rule(f"{a}/purchase_order_contracts", endpoint="purchase_orders", methods=["GET"]),
            Rule(f"{a}/projects", endpoint="projects", methods=["GET"]),
            Rule(f"{a}/work_order_contracts", endpoint="work_orders", methods=["GET"]),
            Rule(f"{a}/commitments", endpoint="commitments", methods=["GET"]),
            Rule(
                f"{contract}/<int:contract_id>/compliance",
                endpoint="compliance",
                methods=["GET", "PATCH"],
            ),
        ]
        for level in ("companies/<int:path_company_id>", "projects/<int:project_id>"):
            base = f"{a}/{level}/vendors/<int:vendor_id>/insurances"
            rules += [
                Rule(base, endpoint="insurances", methods=["GET", "POST"]),
                Rule(f"{base}/sync", endpoint="sync", methods=["PATCH"]),
                Rule(
                    f"{base}/<int:insurance_id>",
                    endpoint="insurance",
                    methods=["GET", "PATCH", "DELETE"],
                ),
            ]
        self._api = Map(rules)
        self._login = Map(
            [
                Rule(f"{LOGIN_PREFIX}/oauth/token", endpoint="token", methods=["POST"]),
                Rule(f"{LOGIN_PREFIX}/oauth/authorize", endpoint="authorize", methods=["GET"]),
            ]
        )
        self._admin = admin_routes(
            Rule("/_sandbox/rate-limits", endpoint="rate_limits", methods=["POST"]),
            Rule("/_sandbox/authorization-code", endpoint="mint_code", methods=["POST"]),
            Rule("/_sandbox/company", endpoint="company", methods=["POST"]),
            Rule("/_sandbox/typed-insurance", endpoint="typed_insurance", methods=["POST"]),
        )
        self._handlers: dict[str, Handler] = {
            "me": self.me,
            "vendors": self.list_vendors,
            "project_vendors": self.list_project_vendors,
            "purchase_orders": self.list_purchase_orders,
            "projects": self.list_projects,
            "work_orders": self.list_work_orders,
            "commitments": self.list_commitments,
            "compliance": self.compliance,
            "insurances": self._in_scope(self.insurances),
            "sync": self._in_scope(self.sync),
            "insurance": self._in_scope(self.insurance),
        }
        self._faulty_api = self.faults.wrap(self._serve_api)
        self._faulty_login = self.faults.wrap(self._serve_login)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path.startswith("/_sandbox/"):
            return serve_admin(self._admin, self._admin_answer, environ, start_response)
        if path.startswith(f"{LOGIN_PREFIX}/"):
            return self._faulty_login(environ, start_response)
        return self._limited(environ, start_response)

    def _expire_presented(self, request: Request) -> None:
        token = bearer_token(request)
        if token:
            self.state.oauth.expire_access_token(token)

    # -- rate limits wrap everything on the API host ---------------------------------------

    def _limited(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        verdict = self.state.limiter.hit()
        self.state.count_request()  # here, so a dropped connection counts too

        def with_headers(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Callable[[bytes], object]:
            self.state.count_status(int(status.split(None, 1)[0]))
            return start_response(status, [*headers, *verdict.headers().items()], exc_info)

        if not verdict.allowed:
            return self._too_many(verdict)(environ, with_headers)
        return self._faulty_api(environ, with_headers)

    @staticmethod
    def _too_many(verdict: RateVerdict) -> Response:
        return json_response(
            {"errors": "Rate limit exceeded"}, 429, {"Retry-After": str(verdict.retry_after)}
        )

    def _serve_api(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        request = Request(environ)
        return self._route_api(request)(environ, start_response)

    def _route_api(self, request: Request) -> Response:
        if not self.state.oauth.access_ok(bearer_token(request)):
            response = _errors(401, INVALID_TOKEN)
            response.headers["WWW-Authenticate"] = (
                f'Bearer realm="Doorkeeper", error="invalid_token", '
                f'error_description="{INVALID_TOKEN}"'
            )
            return response
        try:
            endpoint, args = self._api.bind_to_environ(request.environ).match()
        except MethodNotAllowed:
            return _errors(405, "Method Not Allowed")
        except NotFound:
            return _errors(404, "Not Found")
        if endpoint == "me":  # Procore documents /me as needing no Procore-Company-Id
            return self.me(request, 0)
        raw_company = request.headers.get("Procore-Company-Id")
        if raw_company is None or not raw_company.strip():
            return _errors(400, "Missing Procore-Company-Id header!")
        if not raw_company.strip().isdigit():
            return _errors(400, "Invalid Procore-Company-Id header!")
        company_id = int(raw_company)
        if not self.state.has_company(company_id):
            return _errors(404, "Company not found")
        if self.state.refused(request.path, request.method):
            # Procore's newer error shape; the client must read it as well as ``errors``.
            return json_response(
                {"error": {"code": "forbidden", "message": FORBIDDEN_MESSAGE}}, 403
            )
        try:
            return self._handlers[str(endpoint)](request, company_id, **args)
        except BadPaging as exc:
            return _errors(400, str(exc))
        except BadJson as exc:
            return _errors(400, str(exc))

    # -- login host ------------------------------------------------------------------------

    def _serve_login(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        request = Request(environ)
        try:
            endpoint, _ = self._login.bind_to_environ(environ).match()
        except HTTPException as exc:
            return exc(environ, start_response)
        response = self.token(request) if endpoint == "token" else self.authorize(request)
        return response(environ, start_response)

    def token(self, request: Request) -> Response:
        if request.mimetype == "application/json":
            try:
                raw = read_json(request)
            except BadJson as exc:
                return _oauth_error(400, "invalid_request", str(exc))
            form = {k: str(v) for k, v in raw.items()} if isinstance(raw, dict) else {}
        else:
            form = dict(request.form.items())
        client_id, client_secret = form.get("client_id", ""), form.get("client_secret", "")
        basic = _basic_credentials(request)
        if basic and not client_id:
            client_id, client_secret = basic
        if not self.state.oauth.client_ok(client_id, client_secret):
            return _oauth_error(401, "invalid_client", "Client authentication failed.")
        grant = form.get("grant_type", "")
        if grant == "client_credentials":
            return json_response(self.state.oauth.issue_tokens(client_id, with_refresh=False))
        if grant == "authorization_code":
            if form.get("redirect_uri") != OOB_REDIRECT_URI:
                return _oauth_error(400, "invalid_grant", "The redirect uri does not match.")
            if not self.state.oauth.redeem_code(form.get("code", ""), client_id):
                return _oauth_error(400, "invalid_grant", "The authorization code is invalid.")
            return json_response(self.state.oauth.issue_tokens(client_id, with_refresh=True))
        if grant == "refresh_token":
            if not self.state.oauth.redeem_refresh_token(form.get("refresh_token", ""), client_id):
                return _oauth_error(400, "invalid_grant", "The refresh token is invalid.")
            return json_response(self.state.oauth.issue_tokens(client_id, with_refresh=True))
        return _oauth_error(400, "unsupported_grant_type", f"Unsupported grant {grant!r}.")

    def authorize(self, request: Request) -> Response:
        """The "installed app" page: shows the code the user pastes back into COI Desk."""
        client_id = request.args.get("client_id", "")
        if request.args.get("redirect_uri") != OOB_REDIRECT_URI or not client_id:
            return Response("redirect_uri must be urn:ietf:wg:oauth:2.0:oob", 400)
        code = html.escape(self.state.oauth.mint_authorization_code(client_id))
        page = (
            f"<html><body><h1>Sandbox Procore</h1><p>Authorization code:</p>"
            f"<pre id='code'>{code}</pre></body></html>"
        )
        return Response(page, 200, content_type="text/html")

    # -- admin (never faulted, never rate limited) -----------------------------------------

    def _admin_answer(self, endpoint: str, request: Request) -> Response:
        if endpoint == "counters":
            return json_response(self.state.counters_snapshot())
        if endpoint == "rate_limits":
            body = read_json(request)
            self.state.set_rate_limits(RateLimits(**body))
            return json_response(body)
        if endpoint == "mint_code":
            body = read_json(request)
            return json_response(
                {"code": self.state.oauth.mint_authorization_code(body["client_id"])}
            )
        if endpoint == "company":
            return json_response(self._reshape_company(read_json(request)))
        if endpoint == "typed_insurance":
            # A record a person typed into the vendor's Insurance tab (no origin_id).
            body = read_json(request)
            scope = Scope(
                int(body["company_id"]),
                int(body["vendor_id"]),
                int(body["project_id"]) if body.get("project_id") else None,
            )
            status, answer = self.state.create_insurance(scope, body["insurance"])
            return json_response(answer, status)
        if request.method == "POST":
            self.faults.configure_from_json(read_json(request))
        return json_response(self.faults.snapshot())

    def _reshape_company(self, body: Any) -> JSON:
        """How a real company differs: Pay, permissions, project membership (admin only)."""
        if not isinstance(body, dict):
            raise ValueError("the body must be a JSON object")
        for company, enabled in (body.get("pay_insurance") or {}).items():
            self.state.set_pay_insurance(int(company), bool(enabled))
        if body.get("grant_all"):
            self.state.grant_all()
        for permission in body.get("revoke") or []:
            self.state.revoke(str(permission))
        for project in body.get("hide_projects") or []:
            self.state.hide_project(int(project))
        for project, vendor in body.get("add_project_vendors") or []:
            self.state.add_project_vendor(int(project), int(vendor))
        for project, vendor in body.get("remove_project_vendors") or []:
            self.state.remove_project_vendor(int(project), int(vendor))
        return {"ok": True}

    # -- listings --------------------------------------------------------------------------

    def _paged(self, request: Request, rows: list[JSON]) -> Response:
        page, headers = paginate(request, rows)
        return json_response(page, 200, headers)

    def _param_id(self, request: Request, name: str) -> int | None:
        raw = request.args.get(name, "")
        return int(raw) if raw.isdigit() else None

    def me(self, request: Request, company_id: int) -> Response:
        return json_response(self.state.oauth.who(bearer_token(request)))

    def list_project_vendors(self, request: Request, company_id: int, project_id: int) -> Response:
        if not self._project_in(project_id, company_id):
            return _errors(404, "Not Found")
        return self._paged(request, self.state.project_vendors_of(project_id))

    def list_purchase_orders(self, request: Request, company_id: int) -> Response:
        project_id = self._project_param(request, company_id)
        if isinstance(project_id, Response):
            return project_id
        return self._paged(
            request, self.state.contracts_of(project_id, ["purchase_order_contracts"])
        )

    def list_vendors(self, request: Request, company_id: int) -> Response:
        return self._company_list(request, company_id, self.state.vendors_of)

    def list_projects(self, request: Request, company_id: int) -> Response:
        return self._company_list(request, company_id, self.state.projects_of)

    def _company_list(
        self, request: Request, company_id: int, items_of: Callable[[int], list[JSON]]
    ) -> Response:
        wanted = self._param_id(request, "company_id")
        if wanted is None:
            return _errors(400, "company_id is required")
        if wanted != company_id:
            return _errors(403, "company_id does not match the Procore-Company-Id header")
        return self._paged(request, items_of(company_id))

    def _project_param(self, request: Request, company_id: int) -> int | Response:
        project_id = self._param_id(request, "project_id")
        if project_id is None:
            return _errors(400, "project_id is required")
        if not self._project_in(project_id, company_id):
            return _errors(404, "Not Found")
        return project_id

    def list_work_orders(self, request: Request, company_id: int) -> Response:
        project_id = self._project_param(request, company_id)
        if isinstance(project_id, Response):
            return project_id
        rows = self.state.contracts_of(project_id, ["work_order_contracts"])
        for row in rows:  # this listing names the vendor's company, not its name
            row["vendor"] = {"id": row["vendor"]["id"], "company": row["vendor"]["company"]}
        return self._paged(request, rows)

    def list_commitments(self, request: Request, company_id: int) -> Response:
        project_id = self._project_param(request, company_id)
        if isinstance(project_id, Response):
            return project_id
        rows = self.state.contracts_of(project_id, CONTRACT_KINDS)
        for row in rows:
            row["vendor"] = {"id": row["vendor"]["id"], "name": row["vendor"]["name"]}
        return self._paged(request, rows)

    # -- compliance ------------------------------------------------------------------------

    def compliance(
        self, request: Request, company_id: int, project_id: int, kind: str, contract_id: int
    ) -> Response:
        if not self._project_in(project_id, company_id):
            return _errors(404, "Not Found")
        if request.method == "GET":
            found = self.state.contract(kind, contract_id, project_id)
            return json_response(found) if found else _errors(404, "Not Found")
        body = read_json(request)
        if isinstance(body, dict) and isinstance(body.get("compliance"), dict):
            body = body["compliance"]  # tolerate the wrapped form as well as the flat one
        if not isinstance(body, dict):
            return _errors(400, "the body must be a JSON object")
        status, answer = self.state.update_compliance(kind, contract_id, project_id, body)
        return json_response(answer, status)

    # -- insurance records -----------------------------------------------------------------

    def _project_in(self, project_id: int, company_id: int) -> bool:
        return self.state.company_of_project(project_id) == company_id

    def _scope(
        self, company_id: int, vendor_id: int, path_company: int | None, project_id: int | None
    ) -> Scope | None:
        if path_company is not None and path_company != company_id:
            return None
        if project_id is not None and not self._project_in(project_id, company_id):
            return None
        if self.state.company_of_vendor(vendor_id) != company_id:
            return None
        if project_id is not None and not self.state.on_project(project_id, vendor_id):
            return None  # not in the Project Directory: Procore does not find it there
        return Scope(company_id, vendor_id, project_id)

    def _in_scope(self, handler: Callable[..., Response]) -> Handler:
        """A record endpoint: one vendor's insurances at one level, or a 404 as Procore
        answers for a vendor not there."""

        def handle(
            request: Request,
            company_id: int,
            vendor_id: int,
            path_company_id: int | None = None,
            project_id: int | None = None,
            **rest: Any,
        ) -> Response:
            scope = self._scope(company_id, vendor_id, path_company_id, project_id)
            if scope is None:
                return _errors(404, "Not Found")
            return handler(request, scope, **rest)

        return handle

    @staticmethod
    def _insurance_body(request: Request) -> JSON:
        body = read_json(request)
        if not isinstance(body, dict) or not isinstance(body.get("insurance"), dict):
            raise BadJson('the body must be {"insurance": {...}}')
        fields: JSON = body["insurance"]
        return fields

    def insurances(self, request: Request, scope: Scope) -> Response:
        if request.method == "GET":
            return self._paged(request, self.state.list_insurances(scope))
        status, answer = self.state.create_insurance(scope, self._insurance_body(request))
        return json_response(answer, status)

    def insurance(self, request: Request, scope: Scope, insurance_id: int) -> Response:
        if request.method == "GET":
            found = self.state.get_insurance(scope, insurance_id)
            return json_response(found) if found else _errors(404, "Not Found")
        if request.method == "DELETE":
            if not self.state.delete_insurance(scope, insurance_id):
                return _errors(404, "Not Found")
            return Response(status=204)
        fields = self._insurance_body(request)
        status, answer = self.state.update_insurance(scope, insurance_id, fields)
        return json_response(answer, status)

    def sync(self, request: Request, scope: Scope) -> Response:
        body = read_json(request)
        updates = body.get("updates") if isinstance(body, dict) else None
        if not isinstance(updates, list):
            return _errors(400, 'the body must be {"updates": [...]}')
        if len(updates) > MAX_SYNC_ITEMS:
            return _errors(422, {"updates": [f"at most {MAX_SYNC_ITEMS} items per call"]})
        return json_response(self.state.sync_insurances(scope, updates))


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, _, password = base64.b64decode(value).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return user, password
