# -*- test-case-name: mimic.test.test_objectstorage_routes -*-
"""
Rackspace's CDN management API for one account (``cloudFilesCDN``, type
``rax:object-cdn``, beside the store in the catalog): which containers
the CDN serves, for how long edges cache them, and purges.  Clients such
as libcloud's Cloud Files driver will not start without it.  Nothing is
served from a CDN: the URIs it hands out name no real host.
"""

from __future__ import annotations

from typing import Any

from klein import Klein
from twisted.web.iweb import IRequest

from mimic.services.objectstorage.errors import handle_swift_errors, swift_error
from mimic.services.objectstorage.model import Account
from mimic.services.objectstorage.responses import ALL_METHODS, answer, listing, refuse_method, stamp
from mimic.services.objectstorage.validation import (
    cdn_changes,
    check_container_name,
    check_object_name,
    flag,
    headers_of,
    listing_query,
    query_value,
    split_path,
)
from mimic.services.objectstorage.views import cdn_entry, cdn_headers

class CdnAPI:
    """
    The CDN management API of one account; only the account's own token
    reaches it (``authenticated`` says whether the request had it).
    """

    app = Klein()
    handle_swift_errors(app)

    def __init__(self, account: Account, authenticated: bool) -> None:
        self.account = account
        self.authenticated = authenticated

    @app.route("/v1/", branch=True, methods=ALL_METHODS)
    def v1(self, request: IRequest) -> Any:
        stamp(request)
        method, account, container, name = split_path(request)
        if not self.authenticated:
            raise swift_error(401)
        if account != self.account.name:
            raise swift_error(403)
        if not container:
            if method in ("GET", "HEAD"):
                return self.list_containers(request)
            refuse_method("GET, HEAD")
        container = check_container_name(container)
        if name:
            if method != "DELETE":
                refuse_method("DELETE")
            # A purge: the object leaves the CDN's edge caches.
            if not self.account.cdn_settings(container).enabled:
                raise swift_error(404)
            self.account.get_object(container, check_object_name(name))
            return answer(request, 204)
        if method == "HEAD":
            settings = self.account.cdn_settings(container)
            return answer(request, 204, cdn_headers(self.account.name, container, settings))
        if method == "PUT":
            created = self.account.cdn_enable(container, cdn_changes(headers_of(request)))
            settings = self.account.cdn_settings(container)
            return answer(request, 201 if created else 202, cdn_headers(self.account.name, container, settings))
        if method == "POST":
            settings = self.account.cdn_settings(container)
            self.account.cdn_enable(container, cdn_changes(headers_of(request)))
            return answer(request, 204, cdn_headers(self.account.name, container, settings))
        refuse_method("HEAD, POST, PUT")

    def list_containers(self, request: IRequest) -> bytes:
        query = listing_query(request)
        enabled_only = flag(query_value(request, "enabled_only"))
        entries: list[dict[str, Any]] = []
        for name in sorted(self.account.cdn, reverse=query.reverse):
            if len(entries) >= query.limit:
                break
            settings = self.account.cdn[name]
            if (
                (enabled_only and not settings.enabled)
                or not name.startswith(query.prefix)
                or (query.marker and (name >= query.marker if query.reverse else name <= query.marker))
                or (query.end_marker and (name <= query.end_marker if query.reverse else name >= query.end_marker))
            ):
                continue
            entries.append(cdn_entry(self.account.name, name, settings))
        return listing(request, "account", self.account.name, entries, query, {})

