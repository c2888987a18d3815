# -*- test-case-name: mimic.test.test_identity_trusts -*-
"""
``/v3/OS-TRUST/trusts``: create, list, show and delete trusts, and the
roles they delegate.  A trust is made by its trustor; it is seen by its
trustor, its trustee and administrators, and deleted by its trustor or
an administrator (which revokes the tokens made from it).
"""

from __future__ import annotations

from typing import Any

from klein import Klein
from twisted.web.iweb import IRequest

from mimic.http import json_response, query_arg
from mimic.services.identity.errors import keystone_error
from mimic.services.identity.policy import forbidden
from mimic.services.identity.records import Target
from mimic.services.identity.trusts import Trust, Trusts, new_trust
from mimic.services.identity.v3_support import V3Base, keystone_errors
from mimic.services.identity.validation import bool_field, string_field
from mimic.services.identity.views import link
from mimic.session import Role, Token
from mimic.timestamps import iso_microseconds, parse_iso


class TrustsAPI(V3Base):
    app = Klein()
    keystone_errors(app)

    @property
    def trusts(self) -> Trusts:
        return self.directory.trusts

    def _roles(self, trust: Trust) -> list[Role]:
        roles = self.directory.roles
        return [roles[r] for r in trust.role_ids if r in roles]

    def _json(self, request: IRequest, trust: Trust) -> dict[str, Any]:
        url = self.url(request)
        return {
            "id": trust.id,
            "trustor_user_id": trust.trustor_user_id,
            "trustee_user_id": trust.trustee_user_id,
            "project_id": trust.project_id,
            "impersonation": trust.impersonation,
            "expires_at": None if trust.expires_at is None else iso_microseconds(trust.expires_at),
            "remaining_uses": trust.remaining_uses,
            "allow_redelegation": trust.allow_redelegation,
            "redelegation_count": 0,
            "roles": [self.role_view(url, r) for r in self._roles(trust)],
            "roles_links": {"self": None, "previous": None, "next": None},
            "links": {"self": link(url, "OS-TRUST", "trusts", trust.id)},
        }

    def _visible(self, caller: Token, trust_id: str, action: str) -> Trust:
        trust = self.trusts.trust(trust_id)
        if caller.user.id not in (trust.trustor_user_id, trust.trustee_user_id) and not caller.is_admin:
            raise forbidden(action)
        return trust

    def _requested_roles(self, given: Any) -> list[Role]:
        if given is None:
            return []
        if not isinstance(given, list):
            raise keystone_error(400, "Invalid input for field 'roles': it must be a list.")
        roles = []
        for item in given:
            if not isinstance(item, dict) or not isinstance(item.get("id", item.get("name")), str):
                raise keystone_error(400, "Invalid input for field 'roles': each needs an 'id' or a 'name'.")
            if "id" in item:
                roles.append(self.directory.role(item["id"]))
            else:
                role = self.directory.role_named(item["name"])
                if role is None:
                    raise keystone_error(404, f"Could not find role: {item['name']}.")
                roles.append(role)
        return roles

    @app.route("/", methods=["POST"])
    def create_trust(self, request: IRequest) -> bytes:
        caller = self.caller(request)
        given = self.body(request, "trust")
        trustor_id = string_field(given, "trustor_user_id", required=True, empty=False)
        trustee_id = string_field(given, "trustee_user_id", required=True, empty=False)
        impersonation = given.get("impersonation")
        if not isinstance(impersonation, bool):
            raise keystone_error(400, "Invalid input for field 'impersonation': it must be a boolean.")
        if caller.user.id != trustor_id:
            raise forbidden("create_trust")
        project_id = string_field(given, "project_id", nullable=True)
        expires_at = None
        raw_expiry = given.get("expires_at")
        if raw_expiry is not None:
            expires_at = parse_iso(raw_expiry) if isinstance(raw_expiry, str) and raw_expiry else None
            if expires_at is None:
                raise keystone_error(400, f"Invalid input for field 'expires_at': {raw_expiry!r} is not a time.")
        remaining = given.get("remaining_uses")
        if remaining is not None and (isinstance(remaining, bool) or not isinstance(remaining, int) or remaining < 1):
            raise keystone_error(400, "Invalid input for field 'remaining_uses': it must be a positive integer.")
        trustor = self.directory.user(trustor_id)
        trustee = self.directory.user(trustee_id)
        roles = self._requested_roles(given.get("roles"))
        held: set[str] = set()
        if project_id is not None:
            project = self.directory.project(project_id)
            held = self.directory.effective_role_ids(trustor, Target("project", project.id))
        trust = new_trust(
            trustor, trustee, project_id, impersonation, roles, held, expires_at, remaining,
            bool_field(given, "allow_redelegation", False), self.core.clock.seconds(),
        )
        self.trusts.add(trust)
        return json_response(request, {"trust": self._json(request, trust)}, 201)

    @app.route("/", methods=["GET", "HEAD"])
    def list_trusts(self, request: IRequest) -> bytes:
        caller = self.caller(request)
        trustor = query_arg(request, "trustor_user_id")
        trustee = query_arg(request, "trustee_user_id")
        if not caller.is_admin and caller.user.id not in (trustor, trustee):
            raise forbidden("list_trusts")
        now = self.core.clock.seconds()
        trusts = [
            t for t in self.trusts.trusts.values()
            if (trustor is None or t.trustor_user_id == trustor)
            and (trustee is None or t.trustee_user_id == trustee)
            and (t.expires_at is None or t.expires_at > now)
        ]
        described = []
        for trust in trusts:
            summary = self._json(request, trust)
            del summary["roles"], summary["roles_links"]
            described.append(summary)
        return self.collection(request, "trusts", described)

    @app.route("/<trust_id>", methods=["GET", "HEAD"])
    def show_trust(self, request: IRequest, trust_id: str) -> bytes:
        trust = self._visible(self.caller(request), trust_id, "get_trust")
        return json_response(request, {"trust": self._json(request, trust)})

    @app.route("/<trust_id>", methods=["DELETE"])
    def delete_trust(self, request: IRequest, trust_id: str) -> bytes:
        caller = self.caller(request)
        trust = self.trusts.trust(trust_id)
        if caller.user.id != trust.trustor_user_id and not caller.is_admin:
            raise forbidden("delete_trust")
        self.trusts.remove(trust, self.core.sessions)
        return json_response(request, None, 204)

    @app.route("/<trust_id>/roles", methods=["GET", "HEAD"])
    def list_roles(self, request: IRequest, trust_id: str) -> bytes:
        trust = self._visible(self.caller(request), trust_id, "list_roles_for_trust")
        url = self.url(request)
        return self.collection(request, "roles", [self.role_view(url, r) for r in self._roles(trust)])

    @app.route("/<trust_id>/roles/<role_id>", methods=["GET", "HEAD"])
    def show_role(self, request: IRequest, trust_id: str, role_id: str) -> bytes:
        trust = self._visible(self.caller(request), trust_id, "get_role_for_trust")
        for role in self._roles(trust):
            if role.id == role_id:
                return json_response(request, {"role": self.role_view(self.url(request), role)})
        raise keystone_error(404, f"Could not find role: {role_id}.")
