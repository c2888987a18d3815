# -*- test-case-name: mimic.test.test_compute_web -*-
"""
What every compute handler shares: the :class:`RequestContext` of one
request, the links Nova writes, listing pages (``limit``, ``marker`` and
``next`` links) and integer filters, and :func:`sub_collection`, which
hands a path below the API to a sub-collection's own Klein app.

It knows nothing of compute's state: an app is given the state it
serves when it is made (see :mod:`~mimic.services.compute.routes`).
"""

from __future__ import annotations

from typing import Any, Callable
from urllib.parse import urlencode

from attrs import frozen
from klein import Klein
from twisted.web.iweb import IRequest
from twisted.web.resource import IResource

from mimic.http import Mounted, query_arg
from mimic.profiles import DEFAULT_PROFILE, Profile
from mimic.services.compute.errors import nova_error, nova_error_body
from mimic.services.compute.versions import Microversion


@frozen
class RequestContext:
    """
    One request to the API, as its handlers need it: checked and
    negotiated by :meth:`mimic.services.compute.routes.ComputeAPI.context`.
    """

    #: The negotiated microversion, (2, 1) when the client asked for none.
    microversion: Microversion
    #: Absolute URL the client used, up to the tenant segment inclusive,
    #: e.g. ``http://host/service/compute/ORD/123/v2.1/123``: ``self``
    #: links and ``next`` links start with it.
    versioned_url: str
    #: The same without the version segment, e.g.
    #: ``http://host/service/compute/ORD/123/123``: ``bookmark`` links.
    unversioned_url: str
    #: The user the token belongs to (keypairs belong to users).
    user_id: str
    #: ``core.clock.seconds()`` when the request arrived.
    now: float
    #: The tenant and region the request is for.
    tenant_id: str
    region: str
    #: The tenant's networking (an :class:`~mimic.interfaces.INetworking`),
    #: looked up once for the request, or None without a network service.
    networking: Any = None
    #: The cloud Mimic pretends to be (``core.profile``): which flavors
    #: exist and whether Rackspace's attributes are shown.
    profile: Profile = DEFAULT_PROFILE
    #: Whether the token is an administrator's (Nova's ``context_is_admin``):
    #: some policies (locked servers, instance action events) ask.
    is_admin: bool = False


#: Makes the request's context when a sub-collection's handler asks for
#: it, after its own route matched: an unknown path is a 404 whatever the
#: request's version headers say, as for the API's own paths.
ContextFactory = Callable[[], RequestContext]


def sub_collection(app: Klein) -> IResource:
    """
    A sub-collection's app (bound to its instance) as the resource a
    branch route of the API returns: the app sees the path below the
    collection's name, the collection itself as ``/``.
    """
    return Mounted(app.resource(), nova_error_body)


def resource_links(ctx: RequestContext, collection: str, ident: str) -> list[dict[str, str]]:
    """
    Nova's ``links`` for a resource: a versioned ``self`` and an
    unversioned ``bookmark``.
    """
    return [
        {"href": f"{ctx.versioned_url}/{collection}/{ident}", "rel": "self"},
        {"href": f"{ctx.unversioned_url}/{collection}/{ident}", "rel": "bookmark"},
    ]


def bookmark_links(ctx: RequestContext, collection: str, ident: str) -> list[dict[str, str]]:
    """
    The ``links`` of a resource embedded in another (a server's image or
    flavor): the bookmark only.
    """
    return [{"href": f"{ctx.unversioned_url}/{collection}/{ident}", "rel": "bookmark"}]


#: Nova's ``osapi_max_limit``: no page is longer, whatever ``limit`` says.
MAX_LIMIT = 1000


def limit_and_marker(request: IRequest, zero_is_empty: bool = False) -> tuple[int, str | None]:
    """
    ``limit`` and ``marker`` query arguments, validated as Nova does:
    no limit means the largest page, :data:`MAX_LIMIT`.  ``limit=0``
    means the largest page too for the collections Nova pages in the API
    (flavors, images, keypairs), but an empty page for servers, which
    Nova pages in its database (``zero_is_empty``): asking for none gets
    none.
    """
    raw = query_arg(request, "limit")
    limit = MAX_LIMIT
    if raw is not None:
        try:
            limit = int(raw)
        except ValueError:
            raise nova_error(400, "limit param must be an integer")
        if limit < 0:
            raise nova_error(400, "limit param must be positive")
        if limit == 0 and zero_is_empty:
            return 0, query_arg(request, "marker")
        limit = min(limit or MAX_LIMIT, MAX_LIMIT)
    return limit, query_arg(request, "marker")


def next_links(
    ctx: RequestContext,
    request: IRequest,
    path: str,
    last_key: str | None,
    more: bool,
) -> list[dict[str, str]]:
    """
    The ``<collection>_links`` of a listing page, as Nova gives them: when
    more items follow, a ``next`` link to the same listing (``path``
    below the versioned URL, e.g. ``flavors/detail``) with the same query
    and ``marker`` set to the page's last item.
    """
    if not more or last_key is None:
        return []
    query = [
        (name.decode("utf-8", "replace"), value.decode("utf-8", "replace"))
        for name, values in sorted(request.args.items())
        if name != b"marker"
        for value in values
    ]
    query.append(("marker", last_key))
    return [{"href": f"{ctx.versioned_url}/{path}?{urlencode(query)}", "rel": "next"}]


def int_filter(request: IRequest, name: str) -> int | None:
    """
    An integer query argument such as ``minRam``, or None when absent;
    Nova's 400 "Invalid <name> filter" when it is not an integer.
    """
    raw = query_arg(request, name)
    if raw is None:
        return None
    try:
        return int(raw)
    except ValueError:
        raise nova_error(400, f"Invalid {name} filter [{raw}]")

