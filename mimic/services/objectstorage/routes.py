# -*- test-case-name: mimic.test.test_objectstorage_routes -*-
"""
Swift v1's HTTP API for one tenant's account in one region.

Paths are relative to the service's per-tenant prefix; the catalog lists
``<prefix>/v1/MossoCloudFS_<id>``, and ``<prefix>/info`` reports the
cluster's capabilities, which is where swiftclient and openstacksdk look
for them (the storage URL with ``/v1/...`` replaced by ``/info``).

Object names may hold any text, double slashes and a trailing slash
included (``photos//2024/`` is a valid name): the router does not tidy
paths (no Mimic app's does, see :func:`mimic.http.handle_errors`), and
names are read from the path's segments as they came.

A request normally carries the account's token (the core checked it).
Without one, or with another project's, it reaches here only when
:meth:`~.plugin.ObjectStoragePlugin.admits` let it through (a temporary
URL, a container with ACLs); :meth:`ObjectStorageAPI.grant` then decides
what it may do, by the rules of :mod:`.access`.  The CDN management API
(:mod:`.cdn`), bulk operations (:mod:`.bulk`) and large objects
(:mod:`.largeobjects`) have modules of their own.
"""

from __future__ import annotations

import json
import mimetypes
import os
from typing import Any, Callable
from urllib.parse import unquote, urlencode
from xml.sax.saxutils import escape

from attrs import evolve
from klein import Klein
from twisted.internet.task import deferLater
from twisted.web.iweb import IRequest

from mimic.http import HTTPError, RawBody, header
from mimic.interfaces import IMimicCore
from mimic.services.objectstorage import access, bulk, formpost, largeobjects, staticweb, tempurl, versioning
from mimic.services.objectstorage.cdn import CdnAPI
from mimic.services.objectstorage.errors import HTML, handle_swift_errors, swift_error, title
from mimic.services.objectstorage.failures import (
    CONTAINER_DELETE,
    LISTING,
    OBJECT_DELETE,
    OBJECT_READ,
    OBJECT_WRITE,
    Delay,
    Lag,
)
from mimic.services.objectstorage.middleware import (
    VERSIONS_HEADERS,
    cross_domain_document,
    devstack_proxy,
    is_reseller,
    quota_changes,
    quota_refusal,
)
from mimic.services.objectstorage.model import (
    MAX_DELETES_PER_REQUEST,
    MAX_FILE_SIZE,
    Account,
    Container,
    StoredObject,
    Subdir,
    Window,
    apply_metadata,
    etag_of,
    recent_tombstones,
)
from mimic.services.objectstorage.responses import ALL_METHODS, answer, listing, refuse_method, stamp
from mimic.services.objectstorage.streaming import Download, JoinedReader
from mimic.services.objectstorage.validation import (
    CONTAINER_ACL_HEADERS,
    ListingQuery,
    bad_request,
    bulk_delete_paths,
    check_container_name,
    check_metadata,
    check_object_name,
    copy_source,
    delete_at,
    dlo_manifest,
    etag_list,
    etag_value,
    flag,
    headers_of,
    http_time,
    listing_query,
    metadata_changes,
    object_headers,
    object_metadata,
    parse_ranges,
    query_args,
    query_value,
    slo_manifest,
    split_path,
)
from mimic.services.objectstorage.views import (
    account_headers,
    capabilities,
    container_entry,
    container_headers,
    http_date,
    meta_headers,
    object_entry,
    object_headers as object_response_headers,
)

class ObjectStorageAPI:
    """
    Swift for one tenant's account in one region; ``self.account`` is
    its :class:`~mimic.services.objectstorage.model.Account`.
    """

    app = Klein()
    handle_swift_errors(app)

    def __init__(self, core: IMimicCore, account: Account, region: str, tenant_id: str) -> None:
        self.core = core
        self.account = account
        self.region = region
        self.tenant_id = tenant_id

    def now(self) -> float:
        return self.core.clock.seconds()

    # -- plumbing -------------------------------------------------------

    def decide(self, event: Any, container: str = "", name: str = "", method: str = "") -> Any:
        attributes = {
            "tenant_id": self.tenant_id,
            "region": self.region,
            "container": container,
            "object": name,
            "method": method,
        }
        return self.core.failures.decide(event, attributes)

    def after(self, outcome: Any, work: Callable[[], Any]) -> Any:
        """
        Do ``work`` now, or after the delay a ``slow`` condition asks for.
        """
        if isinstance(outcome, Delay):
            if outcome.real_time:
                from twisted.internet import reactor

                return deferLater(reactor, outcome.seconds, work)
            return deferLater(self.core.clock, outcome.seconds, work)
        return work()

    def token(self, request: IRequest) -> Any:
        return self.core.sessions.token(header(request, "x-auth-token"))

    def authenticated(self, request: IRequest) -> bool:
        token = self.token(request)
        return token is not None and token.tenant_id == self.tenant_id

    def grant(
        self, request: IRequest, method: str, container: str | None, name: str | None
    ) -> tempurl.TempURL | None:
        """
        Whether this request may go on (see :mod:`.access`): ``None`` if
        it may, the temporary URL if that is what allows it; Swift's 401
        or 403 if it may not.
        """
        args = query_args(request)
        if container and name and tempurl.present(args):
            temp = tempurl.parse(args)
            keys = access.temp_url_keys(self.account, container)
            paths = access.signed_paths(request.path)
            if temp is not None and tempurl.valid(temp, method, paths, name, keys, self.now()):
                return temp
            raise swift_error(401, "401 Unauthorized: Temp URL invalid\n")
        token = self.token(request)
        if token is not None and (token.tenant_id == self.tenant_id or is_reseller(self.core.profile, token)):
            return None
        found = self.account.containers.get(container) if container else None
        if found is not None:
            if token is not None and access.project_grant(found, token, method, listing=not name):
                return None
            if method in access.READ_METHODS and access.public(found, listing=not name):
                return None
        raise swift_error(403 if token is not None else 401)

    # -- capabilities ---------------------------------------------------

    @app.route("/info", methods=["GET", "HEAD"])
    def info(self, request: IRequest) -> bytes:
        stamp(request)
        body = json.dumps(capabilities(devstack_proxy(self.core.profile))).encode("utf-8")
        return answer(request, 200, body=body, content_type=b"application/json; charset=UTF-8")

    @app.route("/crossdomain.xml", methods=["GET", "HEAD"])
    def crossdomain(self, request: IRequest) -> bytes:
        """
        The ``crossdomain`` middleware's policy, where the profile's proxy
        runs it (DevStack's); a 404 elsewhere.
        """
        stamp(request)
        if not devstack_proxy(self.core.profile):
            raise swift_error(404)
        return answer(request, 200, body=cross_domain_document(), content_type=b"application/xml; charset=utf-8")

    @app.route("/healthcheck", methods=["GET", "HEAD"])
    def healthcheck(self, request: IRequest) -> bytes:
        """
        Swift's healthcheck middleware: ``OK`` while the proxy serves.
        """
        stamp(request)
        return answer(request, 200, body=b"OK", content_type=b"text/plain")

    # -- dispatch -------------------------------------------------------

    @app.route("/v1/", branch=True, methods=ALL_METHODS)
    def v1(self, request: IRequest) -> Any:
        stamp(request)
        method, account, container, name = split_path(request)
        if account != self.account.name:
            if self.authenticated(request):
                raise swift_error(403)
            raise swift_error(401)
        if not container:
            if name:
                raise swift_error(412, "Bad URL")
            self.grant(request, method, None, None)
            return self.account_request(request, method)
        container = check_container_name(container)
        if method == "POST" and devstack_proxy(self.core.profile) and formpost.is_form(header(request, "content-type")):
            return self.form_post(request, container, name)
        if not name:
            self.grant(request, method, container, None)
            served = self.static_web(request, method, container, "")
            if served is not None:
                return served
            return self.container_request(request, method, container)
        name = check_object_name(name)
        temp = self.grant(request, method, container, name)
        if temp is None:
            served = self.static_web(request, method, container, name)
            if served is not None:
                return served
        return self.object_request(request, method, container, name, temp)

    # -- web sites (DevStack's staticweb) ----------------------------------

    def static_web(self, request: IRequest, method: str, container_name: str, name: str) -> Any:
        """
        What Swift's ``staticweb`` answers instead, for a request without
        a token (or in ``X-Web-Mode``) to a container set up as a web
        site where DevStack's proxy runs it (see :mod:`.staticweb`);
        ``None`` to answer as usual.
        """
        if method not in ("GET", "HEAD") or not devstack_proxy(self.core.profile):
            return None
        if self.token(request) is not None and not staticweb.truthy(header(request, "x-web-mode")):
            return None
        container = self.account.containers.get(container_name)
        if container is None:
            return None
        metadata = container.metadata
        index, listings, error = (
            metadata.get("web-index"), staticweb.truthy(metadata.get("web-listings")), metadata.get("web-error")
        )
        if name and not name.endswith("/"):
            if error is None or self.account.find_object(container_name, name) is not None:
                return None
            page = self.account.find_object(container_name, "404" + error)
            if page is None:
                return None
            served = self.read_object(request, container_name, page.name, None)
            request.setResponseCode(404)
            return served
        if not index and not listings:
            return None
        if not request.path.endswith(b"/"):
            stamp(request)
            return answer(request, 301, {"Location": request.path.decode("utf-8") + "/"})
        if index and self.account.find_object(container_name, name + index) is not None:
            return self.read_object(request, container_name, name + index, None)
        if not listings:
            return None
        stamp(request)
        items = self.account.iter_objects(container, Window(prefix=name, delimiter="/"))
        body = staticweb.listing_page(
            unquote(request.path.decode("utf-8")), items, name, metadata.get("web-listings-css")
        )
        return answer(request, 200, body=b"" if method == "HEAD" else body, content_type=b"text/html; charset=UTF-8")

    # -- form uploads (DevStack's formpost) -------------------------------

    def form_post(self, request: IRequest, container_name: str, prefix: str) -> bytes:
        """
        Store each file of a signed form as ``<prefix><filename>``, as
        Swift's ``formpost`` does before any token is looked at (see
        :mod:`.formpost`).
        """
        self.account.container(container_name)
        body = read_body(request)
        paths = access.signed_paths(request.path)
        keys = access.temp_url_keys(self.account, container_name)
        status, message, redirect, stored = 400, "no files to process", "", 0
        try:
            for form in formpost.form_files(header(request, "content-type") or "", body):
                formpost.check(form, paths, keys, self.now())
                redirect = form.attributes.get("redirect", "")
                max_size, max_count = formpost.limits(form)
                if stored >= max_count:
                    status, message = 400, "max file count exceeded"
                    break
                if len(form.data) > max_size:
                    status, message = 400, "max_file_size exceeded"
                    break
                headers = {"content-type": form.attributes.get("content-type") or form.content_type or ""}
                name = check_object_name(prefix + form.filename)
                new = self.new_object(headers, name, form.data, etag_of(form.data))
                self.account.put_object(container_name, new)
                stored += 1
                status, message = 201, ""
        except formpost.FormRefused as refused:
            raise swift_error(refused.status, refused.message)
        line = f"{status} {title(status)}"
        if redirect:
            query = urlencode({"status": status, "message": message})
            location = redirect + ("&" if "?" in redirect else "?") + query
            page = f'<html><body><p><a href="{escape(location)}">Click to continue...</a></p></body></html>'
            return answer(request, 303, {"Location": location}, page.encode("utf-8"), HTML)
        text = line + (f"\r\nFormPost: {message.title()}" if message else "")
        return answer(request, status, body=text.encode("utf-8"), content_type=b"text/plain")

    # -- the CDN management API (Rackspace's cloudFilesCDN) --------------

    @app.route("/cdn/", branch=True, methods=ALL_METHODS)
    def cdn(self, request: IRequest) -> Any:
        if devstack_proxy(self.core.profile):
            # DevStack's Swift has no CDN: the path is no route there.
            stamp(request)
            raise swift_error(404)
        return CdnAPI(self.account, self.authenticated(request)).app.resource()

    # -- the account ----------------------------------------------------

    def account_request(self, request: IRequest, method: str) -> Any:
        if method in ("GET", "HEAD"):
            return self.list_containers(request, method)
        args = query_args(request)
        if method in ("POST", "DELETE") and b"bulk-delete" in args:
            return self.bulk_delete(request)
        if method == "PUT" and b"extract-archive" in args:
            return self.extract_archive(request, None)
        if method == "POST":
            headers = headers_of(request)
            quotas = self.quota_changes(request, headers)
            changes = metadata_changes(headers, "account")
            merged = dict(self.account.metadata)
            apply_metadata(merged, changes)
            check_metadata(merged, "account")
            self.account.metadata = merged
            apply_metadata(self.account.system_metadata, quotas)
            return answer(request, 204, account_headers(self.account))
        return refuse_method("GET, HEAD, POST")

    def quota_changes(self, request: IRequest, headers: dict[str, str]) -> dict[str, str | None]:
        """
        The account quotas kept as system metadata that a ``POST`` sets,
        where DevStack's ``account_quotas`` middleware runs (nothing
        elsewhere); its 403 or 400 for a request that may not set them
        (see :mod:`.middleware`).
        """
        if not devstack_proxy(self.core.profile):
            return {}
        changes = quota_changes(headers)
        refusal = quota_refusal(changes, is_reseller(self.core.profile, self.token(request)))
        if refusal is not None:
            raise swift_error(refusal)
        return {key: value for (where, key), value in changes.items() if where == "system"}

    def extract_archive(self, request: IRequest, container: str | None) -> bytes:
        kind = query_args(request).get(b"extract-archive", [b""])[0].decode("ascii", "replace")

        def refuse(target: str, name: str) -> None:
            self.decide(OBJECT_WRITE, target, name, "PUT")

        result = bulk.extract_archive(self.account, read_body(request), kind, container, self.now(), refuse)
        body, content_type = bulk.report(result, header(request, "accept") or "")
        return answer(request, 200, body=body, content_type=content_type)

    def list_containers(self, request: IRequest, method: str) -> Any:
        query = listing_query(request)
        outcome = self.decide(LISTING, method=method)

        def respond() -> bytes:
            account = self.account
            names = account.iter_containers(query.window)
            entries = _page(
                names,
                query,
                lambda name: container_entry(account.containers[name]),
            )
            return listing(request, "account", account.name, entries, query, account_headers(account))

        return self.after(outcome, respond)

    def bulk_delete(self, request: IRequest) -> bytes:
        paths = bulk_delete_paths(read_body(request))
        if len(paths) > MAX_DELETES_PER_REQUEST:
            raise swift_error(413, f"Maximum Bulk Deletes: {MAX_DELETES_PER_REQUEST} per request")
        result = bulk.delete_paths(
            self.account,
            paths,
            lambda container, name: self.decide(OBJECT_DELETE, container, name, "DELETE"),
            lambda container: self.decide(CONTAINER_DELETE, container),
        )
        body, content_type = bulk.report(result, header(request, "accept") or "")
        return answer(request, 200, body=body, content_type=content_type)

    # -- containers -----------------------------------------------------

    def container_request(self, request: IRequest, method: str, name: str) -> Any:
        if method in ("GET", "HEAD"):
            return self.list_objects(request, method, name)
        if method == "PUT":
            if b"extract-archive" in query_args(request):
                self.account.container(name)
                return self.extract_archive(request, name)
            return self.put_container(request, name)
        if method == "POST":
            container = self.account.container(name)
            self.update_container(request, container)
            return answer(request, 204)
        if method == "DELETE":
            self.decide(CONTAINER_DELETE, name)
            self.account.delete_container(name)
            return answer(request, 204)
        return refuse_method("DELETE, GET, HEAD, POST, PUT")

    def container_changes(self, request: IRequest, current: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
        headers = headers_of(request)
        merged = dict(current)
        apply_metadata(merged, metadata_changes(headers, "container"))
        check_metadata(merged, "container")
        for quota, what in (("quota-bytes", "bytes"), ("quota-count", "count")):
            value = merged.get(quota)
            if value is not None and not value.lstrip("-").isdigit():
                raise bad_request(f"Invalid {what} quota.")
        kept: tuple[str, ...] = CONTAINER_ACL_HEADERS
        if devstack_proxy(self.core.profile):
            kept += VERSIONS_HEADERS
        acls = {name: headers[name] for name in kept if name in headers}
        for name in kept:
            if f"x-remove-{name[2:]}" in headers:
                acls[name] = ""
        return merged, acls

    def put_container(self, request: IRequest, name: str) -> bytes:
        existing = self.account.containers.get(name)
        merged, acls = self.container_changes(request, existing.metadata if existing else {})
        created = self.account.put_container(name, {}, acls)
        self.account.containers[name].metadata = merged
        return answer(request, 201 if created else 202)

    def update_container(self, request: IRequest, container: Container) -> None:
        merged, acls = self.container_changes(request, container.metadata)
        container.metadata = merged
        self.account.put_container(container.name, {}, acls)

    def list_objects(self, request: IRequest, method: str, name: str) -> Any:
        query = listing_query(request)
        self.account.container(name)
        outcome = self.decide(LISTING, name, method=method)

        def respond() -> bytes:
            container = self.account.container(name)
            if isinstance(outcome, Lag):
                entries = _page(
                    iter(_lagging(self.account, container, query, self.now() - outcome.seconds)),
                    query,
                    object_entry,
                )
            else:
                objects = self.account.iter_objects(container, query.window)
                entries = _page(objects, query, object_entry)
            return listing(request, "container", container.name, entries, query, container_headers(container))

        return self.after(outcome, respond)

    # -- objects --------------------------------------------------------

    def object_request(
        self, request: IRequest, method: str, container: str, name: str, temp: tempurl.TempURL | None
    ) -> Any:
        if method in ("GET", "HEAD"):
            outcome = self.decide(OBJECT_READ, container, name, method)
            return self.after(outcome, lambda: self.read_object(request, container, name, temp))
        if method in ("PUT", "POST", "COPY"):
            outcome = self.decide(OBJECT_WRITE, container, name, method)
            if method == "PUT":
                return self.after(outcome, lambda: self.put_object(request, container, name))
            if method == "COPY":
                return self.after(outcome, lambda: self.copy_object(request, container, name))
            return self.after(outcome, lambda: self.post_object(request, container, name))
        if method == "DELETE":
            outcome = self.decide(OBJECT_DELETE, container, name, method)
            return self.after(outcome, lambda: self.delete_object(request, container, name))
        return refuse_method("COPY, DELETE, GET, HEAD, POST, PUT")

    def read_object(
        self, request: IRequest, container: str, name: str, temp: tempurl.TempURL | None
    ) -> Any:
        stored = self.account.get_object(container, name)
        manifest_get = query_value(request, "multipart-manifest") == "get"
        if stored.segments is not None and manifest_get:
            return self.read_manifest(request, stored)
        if stored.manifest is not None and manifest_get:
            # A dynamic large object's manifest is an object of its own
            # (usually empty), which ?multipart-manifest=get reads as it
            # is: swiftclient's download --skip-identical asks for it
            # rather than for the whole joined object.
            parts, etag = [stored.data], stored.etag
        else:
            parts, etag = largeobjects.joined(self.account, stored)
        reader = JoinedReader(parts)
        headers = object_response_headers(stored, etag, reader.length)
        if temp is not None:
            headers = access.temp_url_headers(temp, name, headers, request.method.decode("ascii"))
        self.check_preconditions(request, etag, stored.timestamp, headers)
        if request.method == b"HEAD":
            return self.answer_head(request, headers)
        ranges = parse_ranges(header(request, "range"), reader.length)
        if ranges == []:
            request.setHeader(b"content-range", b"bytes */%d" % reader.length)
            raise swift_error(416)
        content_type = stored.content_type.encode("utf-8")
        boundary = os.urandom(16).hex().encode("ascii")
        download = Download(reader, ranges or None, boundary, content_type)
        status = 200
        if ranges:
            status = 206
            if len(ranges) == 1:
                start, end = ranges[0]
                headers["Content-Range"] = f"bytes {start}-{end - 1}/{reader.length}"
            else:
                headers["Content-Type"] = f"multipart/byteranges;boundary={boundary.decode()}"
        headers["Content-Length"] = str(download.length())
        request.setResponseCode(status)
        for key, value in headers.items():
            request.setHeader(key.encode("latin-1"), value.encode("utf-8"))
        return download

    def answer_head(self, request: IRequest, headers: dict[str, str]) -> bytes:
        request.setResponseCode(200)
        for key, value in headers.items():
            request.setHeader(key.encode("latin-1"), value.encode("utf-8"))
        return b""

    def read_manifest(self, request: IRequest, stored: StoredObject) -> bytes:
        assert stored.segments is not None
        listed = largeobjects.manifest_listing(stored.segments, query_value(request, "format") == "raw")
        body = json.dumps(listed).encode("utf-8")
        headers = object_response_headers(stored, etag_of(body), len(body))
        headers["Content-Type"] = "application/json; charset=utf-8"
        headers["X-Static-Large-Object"] = "True"
        return answer(request, 200, headers, body, b"application/json; charset=utf-8")

    def check_preconditions(
        self, request: IRequest, etag: str, modified: float, headers: dict[str, str]
    ) -> None:
        bare = etag.strip('"')
        if_match = header(request, "if-match")
        if if_match is not None and if_match.strip() != "*" and bare not in etag_list(if_match):
            raise swift_error(412)
        if_none_match = header(request, "if-none-match")
        if if_none_match is not None and (
            if_none_match.strip() == "*" or bare in etag_list(if_none_match)
        ):
            raise self.not_modified(headers)
        last_modified = int(float(modified)) + (0 if float(modified).is_integer() else 1)
        since = http_time(header(request, "if-modified-since"))
        if if_none_match is None and since is not None and last_modified <= since:
            raise self.not_modified(headers)
        unmodified = http_time(header(request, "if-unmodified-since"))
        if if_match is None and unmodified is not None and last_modified > unmodified:
            raise swift_error(412)

    def not_modified(self, headers: dict[str, str]) -> Exception:
        kept = {
            k.lower().encode("latin-1"): v.encode("utf-8")
            for k, v in headers.items()
            if k.lower() in ("etag", "last-modified", "x-timestamp", "content-type")
        }
        return HTTPError(304, RawBody(b"", HTML, kept))

    def put_object(self, request: IRequest, container_name: str, name: str) -> bytes:
        headers = headers_of(request)
        container = self.account.container(container_name)
        if "x-copy-from" in headers:
            source_container, source_name = copy_source(headers["x-copy-from"])
            if _content_length(headers) not in (None, 0):
                raise bad_request("Copy requests require a zero byte body")
            return self.copy(request, headers, source_container, source_name, container.name, name)
        if query_value(request, "multipart-manifest") == "put":
            return self.put_manifest(request, headers, container, name)
        data = self.upload_body(request, headers)
        expected = headers.get("etag")
        etag = etag_of(data)
        if expected is not None and etag_value(expected) != etag:
            raise swift_error(422)
        if headers.get("if-none-match", "").strip() == "*" and self.account.find_object(container.name, name):
            raise swift_error(412)
        stored = self.new_object(headers, name, data, etag)
        if "x-object-manifest" in headers:
            stored.manifest = dlo_manifest(headers["x-object-manifest"])
        if devstack_proxy(self.core.profile):
            versioning.keep_replaced(self.account, container.name, name)
        self.account.put_object(container.name, stored)
        return answer(request, 201, {"Etag": etag, "Last-Modified": http_date(stored.timestamp)})

    def upload_body(self, request: IRequest, headers: dict[str, str]) -> bytes:
        length = _content_length(headers)
        chunked = "chunked" in headers.get("transfer-encoding", "").lower()
        if length is None and not chunked:
            raise swift_error(411)
        if (length or 0) > MAX_FILE_SIZE or getattr(request, "body_too_large", False):
            raise swift_error(413, "Your request is too large.")
        return read_body(request)

    def new_object(self, headers: dict[str, str], name: str, data: bytes, etag: str) -> StoredObject:
        metadata = object_metadata(headers)
        check_metadata(metadata, "object")
        expiry = delete_at(headers, self.now())
        return StoredObject(
            name=name,
            data=data,
            etag=etag,
            content_type=_content_type(headers, name),
            timestamp=self.now(),
            metadata=metadata,
            headers=object_headers(headers),
            delete_at=None if expiry is False else expiry,
        )

    def put_manifest(
        self, request: IRequest, headers: dict[str, str], container: Container, name: str
    ) -> bytes:
        segments, etag = largeobjects.segments_for(self.account, slo_manifest(read_body(request)))
        expected = headers.get("etag")
        if expected is not None and etag_value(expected) != etag:
            raise swift_error(422)
        stored = self.new_object(headers, name, b"", etag)
        stored.segments = segments
        self.account.put_object(container.name, stored)
        return answer(request, 201, {"Etag": f'"{etag}"', "Last-Modified": http_date(stored.timestamp)})

    def copy_object(self, request: IRequest, container: str, name: str) -> bytes:
        headers = headers_of(request)
        destination = headers.get("destination")
        if destination is None:
            raise swift_error(412, "Destination header required")
        target_container, target_name = copy_source(destination)
        return self.copy(request, headers, container, name, target_container, target_name)

    def copy(
        self,
        request: IRequest,
        headers: dict[str, str],
        source_container: str,
        source_name: str,
        container: str,
        name: str,
    ) -> bytes:
        source = self.account.get_object(source_container, source_name)
        self.account.container(container)
        if query_value(request, "multipart-manifest") == "get" or (
            source.manifest is None and source.segments is None
        ):
            data, etag = source.data, source.etag
            manifest, segments = source.manifest, source.segments
        else:
            parts, _ = largeobjects.joined(self.account, source)
            data = b"".join(parts)
            etag = etag_of(data)
            manifest, segments = None, None
        fresh = flag(headers.get("x-fresh-metadata"))
        metadata = {} if fresh else dict(source.metadata)
        metadata.update(object_metadata(headers))
        check_metadata(metadata, "object")
        kept = {} if fresh else dict(source.headers)
        kept.update(object_headers(headers))
        expiry = delete_at(headers, self.now())
        copied = StoredObject(
            name=name,
            data=data,
            etag=etag,
            content_type=headers.get("content-type") or source.content_type,
            timestamp=self.now(),
            metadata=metadata,
            headers=kept,
            delete_at=None if expiry is False else expiry,
            manifest=manifest,
            segments=segments,
        )
        self.account.put_object(container, copied)
        return answer(
            request,
            201,
            {
                "Etag": etag if segments is None else f'"{etag}"',
                "Last-Modified": http_date(copied.timestamp),
                "X-Copied-From": f"{source_container}/{source_name}",
                "X-Copied-From-Account": self.account.name,
                "X-Copied-From-Last-Modified": http_date(source.timestamp),
                **meta_headers("Object", copied.metadata),
            },
        )

    def post_object(self, request: IRequest, container: str, name: str) -> bytes:
        headers = headers_of(request)
        stored = self.account.get_object(container, name)
        metadata = object_metadata(headers)
        check_metadata(metadata, "object")
        expiry = delete_at(headers, self.now())
        stored.metadata = metadata
        stored.headers = object_headers(headers)
        if "content-type" in headers:
            stored.content_type = headers["content-type"]
        if "x-object-manifest" in headers:
            stored.manifest = dlo_manifest(headers["x-object-manifest"])
        if expiry is not False:
            self.account.set_delete_at(container, stored, expiry)
        elif "x-remove-delete-at" in headers:
            self.account.set_delete_at(container, stored, None)
        return answer(request, 202)

    def delete_object(self, request: IRequest, container: str, name: str) -> bytes:
        if query_value(request, "multipart-manifest") == "delete":
            stored = self.account.get_object(container, name)
            if stored.segments is not None:
                result = largeobjects.delete_with_segments(self.account, container, stored)
                body, content_type = bulk.report(result, header(request, "accept") or "")
                return answer(request, 200, body=body, content_type=content_type)
        if devstack_proxy(self.core.profile) and versioning.restore_newest(self.account, container, name):
            return answer(request, 204)
        self.account.delete_object(container, name)
        return answer(request, 204)


def _content_length(headers: dict[str, str]) -> int | None:
    raw = headers.get("content-length")
    if raw is None:
        return None
    try:
        return int(raw)
    except ValueError:
        raise bad_request("Invalid Content-Length header value")


def _content_type(headers: dict[str, str], name: str) -> str:
    given = headers.get("content-type")
    if given and not flag(headers.get("x-detect-content-type")):
        return given
    guessed, _ = mimetypes.guess_type(name, strict=False)
    return guessed or "application/octet-stream"


def read_body(request: IRequest) -> bytes:
    if getattr(request, "body_too_large", False):
        raise swift_error(413)
    content = request.content
    content.seek(0)
    return content.read()


def _page(items: Any, query: ListingQuery, entry: Callable[[Any], dict[str, Any]]) -> list[dict[str, Any]]:
    """
    One page of a listing: at most ``query.limit`` entries, each
    pseudo-directory (:class:`~.model.Subdir`) as a ``subdir``.
    """
    page: list[dict[str, Any]] = []
    if query.limit == 0:
        return page
    for item in items:
        page.append({"subdir": item.name} if isinstance(item, Subdir) else entry(item))
        if len(page) >= query.limit:
            break
    return page


def _lagging(account: Account, container: Container, query: ListingQuery, as_of: float) -> list[Any]:
    """
    The container's objects as a listing ``as_of`` an earlier time shows
    them: without the ones written since, with the ones deleted since.
    """
    now_objects: dict[str, Any] = {
        stored.name: stored
        for stored in account.iter_objects(container, evolve(query.window, delimiter=None))
        if isinstance(stored, StoredObject) and stored.timestamp <= as_of
    }
    for gone in recent_tombstones(container, as_of):
        if (
            gone.timestamp <= as_of
            and gone.name not in now_objects
            and gone.name.startswith(query.prefix)
            and (not query.marker or (gone.name < query.marker if query.reverse else gone.name > query.marker))
            and (not query.end_marker or (gone.name > query.end_marker if query.reverse else gone.name < query.end_marker))
        ):
            now_objects[gone.name] = gone
    listed: list[Any] = []
    for item in sorted(now_objects.values(), key=lambda s: s.name, reverse=query.reverse):
        cut = item.name.find(query.delimiter, len(query.prefix)) if query.delimiter else -1
        if cut < 0:
            listed.append(item)
            continue
        folded = Subdir(item.name[: cut + 1])
        if folded.name != query.marker and (not listed or listed[-1] != folded):
            listed.append(folded)
    return listed
