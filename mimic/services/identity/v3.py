# -*- test-case-name: mimic.test.test_identity_v3 -*-
"""
Identity v3 (Keystone), mounted at ``/identity/v3``: its routes.

Today's OpenStack clients (openstacksdk, the ``openstack`` CLI,
keystoneauth's generic plugins, Ansible, Terraform) speak v3 by default
and start by discovering versions at the unversioned URL.  Users,
projects and tokens are the ones the core's session store keeps for v2,
so one username is one user and one tenant (a project whose id and name
are the tenant id, in the domain ``default``) whichever version a client
uses, and a v2 and a v3 token for the same tenant see the same resources.

Each handler parses (:mod:`~mimic.services.identity.validation`), applies
identity's rules (:mod:`~mimic.services.identity.model`) and answers
(:mod:`~mimic.services.identity.views`).
"""

from __future__ import annotations

from typing import Any

from klein import Klein
from twisted.web.iweb import IRequest
from twisted.web.resource import IResource

from mimic.catalog import ResolvedEntry
from mimic.http import Mounted, base_url, header, json_response
from mimic.services.identity.directory import Target
from mimic.services.identity.errors import keystone_error, keystone_error_body
from mimic.services.identity.failures import AUTHENTICATION, ExpiresEarly, Refusal
from mimic.services.identity.policy import require_token_access
from mimic.services.identity.trusts import token_trust_json
from mimic.services.identity.v3_endpoint_filter import (
    EndpointGroupsAPI,
    EndpointProjectsAPI,
    ProjectEndpointsAPI,
)
from mimic.services.identity.v3_catalog import (
    EndpointsAPI,
    PoliciesAPI,
    RegionsAPI,
    ServicesAPI,
)
from mimic.services.identity.v3_credentials import CredentialsAPI
from mimic.services.identity.v3_directory import DomainsAPI, GroupsAPI, SystemAPI
from mimic.services.identity.v3_inherit import InheritAPI
from mimic.services.identity.v3_oauth import ConsumersAPI
from mimic.services.identity.v3_roles import RoleAssignmentsAPI, RoleInferencesAPI, RolesAPI
from mimic.services.identity.v3_projects import ProjectsAPI
from mimic.services.identity.v3_support import V3Base, keystone_errors
from mimic.services.identity.v3_trusts import TrustsAPI
from mimic.services.identity.v3_users import UsersAPI
from mimic.services.identity.validation import (
    application_credential_method,
    auth_object,
    flag,
    password_method,
    requested_scope,
    token_method,
    v3_identity,
)
from mimic.services.identity.versions import V3_PATH, v3_document
from mimic.services.identity.views import (
    catalog_interfaces,
    catalog_json,
    catalog_with_identity,
    domain_json,
    project_json,
    v3_token_json,
)
from mimic.session import AuthenticationFailed, Token

SUBJECT_TOKEN = b"x-subject-token"


def mounted(api: Any) -> IResource:
    """
    A collection's app as the resource a branch route hands the rest of
    the path to (the collection itself is its ``/``).
    """
    return Mounted(api.app.resource(), keystone_error_body)


def refuse_if_decided(outcome: Any, user_id: str) -> None:
    """
    A known error condition's refusal, worded for the user.
    """
    if isinstance(outcome, Refusal):
        raise AuthenticationFailed(outcome.message(user_id))


def shorten_if_decided(outcome: Any, sessions: Any, token: Token) -> None:
    """
    ``expires_early``: the token stops working sooner than it says.
    """
    if isinstance(outcome, ExpiresEarly):
        sessions.expire_early(token, token.issued_at + outcome.seconds)


class IdentityV3(V3Base):
    """
    The v3 API over the core's session store and identity's directory.
    """

    app = Klein()
    keystone_errors(app)

    # -- helpers ----------------------------------------------------------

    def _catalog(self, request: IRequest, token: Token) -> list[ResolvedEntry]:
        if token.tenant_id is None:
            return []
        return catalog_with_identity(self.core, token.tenant_id, base_url(request), V3_PATH)

    def _token_response(self, request: IRequest, token: Token, status: int) -> bytes:
        catalog = None if flag(request, "nocatalog") else self._catalog(request, token)
        project_ref = domain_ref = None
        directory = self.directory
        if token.tenant_id is not None:
            project = directory.find_project(token.tenant_id)
            if project is not None:
                domain = directory.domains.get(project.domain_id)
                project_ref = {
                    "id": project.id,
                    "name": project.name,
                    "domain": {"id": project.domain_id, "name": domain.name if domain else project.domain_id},
                }
        described = v3_token_json(
            token, catalog, project_ref, domain_ref, catalog_interfaces(self.core.profile)
        )
        trust = directory.trusts.trust_of(token)
        if trust is not None:
            described["OS-TRUST:trust"] = token_trust_json(trust)
        return json_response(
            request,
            {"token": described},
            status,
            {SUBJECT_TOKEN: token.id.encode("ascii")},
        )

    # -- discovery --------------------------------------------------------

    @app.route("/", methods=["GET", "HEAD"])
    def version(self, request: IRequest) -> bytes:
        return json_response(request, {"version": v3_document(base_url(request))})

    # -- tokens -----------------------------------------------------------

    @app.route("/auth/tokens", methods=["POST"])
    def authenticate(self, request: IRequest) -> bytes:
        auth = auth_object(request)
        identity_object, methods = v3_identity(auth)
        identity = self.identity
        scope = requested_scope(auth.get("scope"))
        if "application_credential" in methods:
            given = application_credential_method(identity_object["application_credential"])
            credential, owner = identity.application_credential(given)
            outcome = self.core.failures.decide(
                AUTHENTICATION, {"username": owner.username, "tenant_id": credential.project_id}
            )
            refuse_if_decided(outcome, owner.id)
            token = identity.credential_token(credential, owner)
            shorten_if_decided(outcome, self.core.sessions, token)
            return self._token_response(request, token, 201)
        rescoped = (
            identity.rescoping(token_method(identity_object["token"])) if "token" in methods else None
        )
        password = password_method(identity_object["password"]) if "password" in methods else None
        claim = identity.v3_claim(rescoped, password)
        outcome = self.core.failures.decide(
            AUTHENTICATION, {"username": claim.username, "tenant_id": scope.project or ""}
        )
        refuse_if_decided(outcome, claim.user_id)
        token = identity.v3_token(claim, scope, methods, password, rescoped)
        shorten_if_decided(outcome, self.core.sessions, token)
        return self._token_response(request, token, 201)

    def _subject(self, request: IRequest, action: str) -> Token:
        """
        The token named by X-Subject-Token, for a caller with a live
        X-Auth-Token that may act on it (its own, or as an administrator
        or a service).
        """
        caller = self.caller(request)
        subject_id = header(request, "x-subject-token")
        if not subject_id:
            raise keystone_error(400, "Expecting to find X-Subject-Token in the request headers.")
        subject = self.core.sessions.token(subject_id)
        if subject is None:
            raise keystone_error(404, f"Could not find token: {subject_id}.")
        require_token_access(caller, subject, action)
        return subject

    @app.route("/auth/tokens", methods=["GET"])
    def validate(self, request: IRequest) -> bytes:
        return self._token_response(request, self._subject(request, "validate_token"), 200)

    @app.route("/auth/tokens", methods=["HEAD"])
    def check(self, request: IRequest) -> bytes:
        subject = self._subject(request, "check_token")
        return json_response(request, None, 200, {SUBJECT_TOKEN: subject.id.encode("ascii")})

    @app.route("/auth/tokens", methods=["DELETE"])
    def revoke(self, request: IRequest) -> bytes:
        subject = self._subject(request, "revoke_token")
        self.core.sessions.revoke(subject.id)
        return json_response(request, None, 204)

    @app.route("/auth/catalog", methods=["GET", "HEAD"])
    def auth_catalog(self, request: IRequest) -> bytes:
        caller = self.caller(request)
        if caller.tenant_id is None and not caller.domain_scoped and not caller.system:
            raise keystone_error(403, "A project-scoped token is required to produce a service catalog.")
        listed = catalog_json(self._catalog(request, caller), catalog_interfaces(self.core.profile))
        return self.collection(request, "catalog", listed)

    @app.route("/auth/projects", methods=["GET", "HEAD"])
    def auth_projects(self, request: IRequest) -> bytes:
        caller = self.caller(request)
        url = self.url(request)
        projects = [project_json(url, p) for p in self.directory.projects_of(caller.user) if p.enabled]
        return self.collection(request, "projects", projects)

    @app.route("/auth/domains", methods=["GET", "HEAD"])
    def auth_domains(self, request: IRequest) -> bytes:
        caller = self.caller(request)
        url = self.url(request)
        domains = [domain_json(url, d) for d in self.directory.domains_of(caller.user) if d.enabled]
        return self.collection(request, "domains", domains)

    @app.route("/auth/system", methods=["GET", "HEAD"])
    def auth_system(self, request: IRequest) -> bytes:
        caller = self.caller(request)
        held = self.directory.effective_role_ids(caller.user, Target("system", "all"))
        return self.collection(request, "system", [{"all": True}] if held else [])

    # -- the directory's collections, each its own app --------------------

    @app.route("/projects", branch=True)
    def projects(self, request: IRequest) -> IResource:
        return mounted(ProjectsAPI(self.core))

    @app.route("/users", branch=True)
    def users(self, request: IRequest) -> IResource:
        return mounted(UsersAPI(self.core))

    @app.route("/roles", branch=True)
    def roles(self, request: IRequest) -> IResource:
        return mounted(RolesAPI(self.core))

    @app.route("/role_assignments", branch=True)
    def role_assignments(self, request: IRequest) -> IResource:
        return mounted(RoleAssignmentsAPI(self.core))

    @app.route("/domains", branch=True)
    def domains(self, request: IRequest) -> IResource:
        return mounted(DomainsAPI(self.core))

    @app.route("/groups", branch=True)
    def groups(self, request: IRequest) -> IResource:
        return mounted(GroupsAPI(self.core))

    @app.route("/role_inferences", branch=True)
    def role_inferences(self, request: IRequest) -> IResource:
        return mounted(RoleInferencesAPI(self.core))

    @app.route("/credentials", branch=True)
    def credentials(self, request: IRequest) -> IResource:
        return mounted(CredentialsAPI(self.core))

    @app.route("/system", branch=True)
    def system(self, request: IRequest) -> IResource:
        return mounted(SystemAPI(self.core))

    @app.route("/OS-OAUTH1/consumers", branch=True)
    def consumers(self, request: IRequest) -> IResource:
        return mounted(ConsumersAPI(self.core))

    @app.route("/OS-TRUST/trusts", branch=True)
    def trusts(self, request: IRequest) -> IResource:
        return mounted(TrustsAPI(self.core))

    @app.route("/OS-INHERIT", branch=True)
    def inherit(self, request: IRequest) -> IResource:
        return mounted(InheritAPI(self.core))

    # -- the catalog and policies, written and read ----------------------

    @app.route("/services", branch=True)
    def services(self, request: IRequest) -> IResource:
        return mounted(ServicesAPI(self.core))

    @app.route("/endpoints", branch=True)
    def endpoints(self, request: IRequest) -> IResource:
        return mounted(EndpointsAPI(self.core))

    @app.route("/regions", branch=True)
    def regions(self, request: IRequest) -> IResource:
        return mounted(RegionsAPI(self.core))

    @app.route("/OS-EP-FILTER/endpoint_groups", branch=True)
    def endpoint_groups(self, request: IRequest) -> IResource:
        return mounted(EndpointGroupsAPI(self.core))

    @app.route("/OS-EP-FILTER/projects/<project_id>", branch=True)
    def project_endpoints(self, request: IRequest, project_id: str) -> IResource:
        return mounted(ProjectEndpointsAPI(self.core, project_id))

    @app.route("/OS-EP-FILTER/endpoints/<endpoint_id>", branch=True)
    def endpoint_projects(self, request: IRequest, endpoint_id: str) -> IResource:
        return mounted(EndpointProjectsAPI(self.core, endpoint_id))

    @app.route("/policies", branch=True)
    def policies(self, request: IRequest) -> IResource:
        return mounted(PoliciesAPI(self.core))
