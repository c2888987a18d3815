# -*- test-case-name: mimic.test.test_identity_inherited -*-
"""
``/v3/OS-INHERIT``: roles granted on a domain or a project to be
inherited by the projects below it (Keystone's ``OS-INHERIT``
extension).  Granting, checking and revoking are an administrator's,
as Keystone's default policy has them; the effect shows in tokens and
in ``/role_assignments?effective``.
"""

from __future__ import annotations

from klein import Klein
from twisted.web.iweb import IRequest

from mimic.http import json_response
from mimic.services.identity.policy import require_admin
from mimic.services.identity.records import Target
from mimic.services.identity.v3_support import V3Base, keystone_errors
from mimic.session import Role

GRANT = "/<any(domains,projects):where>/<where_id>/<any(users,groups):kind>/<actor_id>/roles"


class InheritAPI(V3Base):
    app = Klein()
    keystone_errors(app)

    def _source(self, where: str, where_id: str, kind: str, actor_id: str) -> Target:
        """
        The domain or project a grant is held on, after checking that it
        and the actor exist (404 otherwise).
        """
        if where == "domains":
            self.directory.domain(where_id)
        else:
            self.directory.project(where_id)
        if kind == "users":
            self.directory.user(actor_id)
        else:
            self.directory.group(actor_id)
        return Target(where[:-1], where_id)

    def _role(self, role_id: str) -> Role:
        return self.directory.role(role_id)

    @app.route(GRANT + "/inherited_to_projects", methods=["GET", "HEAD"])
    def list_inherited(self, request: IRequest, where: str, where_id: str, kind: str, actor_id: str) -> bytes:
        require_admin(self.caller(request), "list_grants")
        source = self._source(where, where_id, kind, actor_id)
        url = self.url(request)
        held = self.directory.inherited_roles(kind[:-1], actor_id, source)
        roles = [self.role_view(url, self.directory.roles[r]) for r in sorted(held)]
        return self.collection(request, "roles", roles)

    @app.route(GRANT + "/<role_id>/inherited_to_projects", methods=["GET", "HEAD"])
    def check_inherited(
        self, request: IRequest, where: str, where_id: str, kind: str, actor_id: str, role_id: str
    ) -> bytes:
        require_admin(self.caller(request), "check_grant")
        source = self._source(where, where_id, kind, actor_id)
        role = self._role(role_id)
        if role.id not in self.directory.inherited_roles(kind[:-1], actor_id, source):
            raise self.directory.no_assignment(role, actor_id, source)
        return json_response(request, None, 204)

    @app.route(GRANT + "/<role_id>/inherited_to_projects", methods=["PUT"])
    def grant_inherited(
        self, request: IRequest, where: str, where_id: str, kind: str, actor_id: str, role_id: str
    ) -> bytes:
        require_admin(self.caller(request), "create_grant")
        source = self._source(where, where_id, kind, actor_id)
        self.directory.grant_inherited(kind[:-1], actor_id, source, self._role(role_id))
        return json_response(request, None, 204)

    @app.route(GRANT + "/<role_id>/inherited_to_projects", methods=["DELETE"])
    def revoke_inherited(
        self, request: IRequest, where: str, where_id: str, kind: str, actor_id: str, role_id: str
    ) -> bytes:
        require_admin(self.caller(request), "revoke_grant")
        source = self._source(where, where_id, kind, actor_id)
        self.directory.revoke_inherited(kind[:-1], actor_id, source, self._role(role_id))
        return json_response(request, None, 204)
