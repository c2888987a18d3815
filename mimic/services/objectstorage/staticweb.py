# -*- test-case-name: mimic.test.test_objectstorage_profiles -*-
"""
Swift's ``staticweb`` middleware, which DevStack's proxy runs: a public
container served as a web site to requests without a token (or with
``X-Web-Mode: true``), as its metadata says:

* ``X-Container-Meta-Web-Index``: the object a directory (the container,
  or a pseudo-directory ``dir/``) answers with;
* ``X-Container-Meta-Web-Listings: true``: an HTML listing of a
  directory without an index, styled by ``Web-Listings-CSS`` if given;
* ``X-Container-Meta-Web-Error``: a missing object is answered, still
  404, with the object ``404<name>``.

A directory asked for without its trailing slash is redirected (301) to
it, as browsers need for relative links.
"""

from __future__ import annotations

from typing import Iterable
from xml.sax.saxutils import escape, quoteattr

from mimic.services.objectstorage.model import StoredObject, Subdir
from mimic.services.objectstorage.views import listing_time

#: Swift's look for a listing without a style sheet of its own.
DEFAULT_STYLE = (
    "   <style type=\"text/css\">\n"
    "    h1 {font-size: 1em; font-weight: bold;}\n"
    "    th {text-align: left; padding: 0px 1em 0px 1em;}\n"
    "    td {padding: 0px 1em 0px 1em;}\n"
    "    a {text-decoration: none;}\n"
    "   </style>\n"
)


def truthy(value: str | None) -> bool:
    """
    Swift's reading of a true setting (``true``, ``yes``, ``on``, ``1``...).
    """
    return (value or "").strip().lower() in ("true", "1", "yes", "on", "t", "y")


def listing_page(path: str, items: Iterable[StoredObject | Subdir], prefix: str, css: str | None) -> bytes:
    """
    The HTML listing of a directory at ``path`` (what the browser asked
    for), its entries named relative to it.
    """
    title = escape(path)
    style = (
        f"  <link rel=\"stylesheet\" type=\"text/css\" href={quoteattr(css)} />\n" if css else DEFAULT_STYLE
    )
    rows = []
    if prefix:
        rows.append(
            '   <tr id="parent" class="item">\n'
            '    <td class="colname"><a href="../">../</a></td>\n'
            '    <td class="colsize">&nbsp;</td>\n'
            '    <td class="coldate">&nbsp;</td>\n'
            "   </tr>\n"
        )
    for item in items:
        name = item.name[len(prefix):]
        if isinstance(item, Subdir):
            size, date, kind = "&nbsp;", "&nbsp;", "subdir"
        else:
            size, date, kind = str(item.stored_bytes), listing_time(item.timestamp)[:19].replace("T", " "), "item"
        rows.append(
            f'   <tr class="{kind}">\n'
            f"    <td class=\"colname\"><a href={quoteattr(name)}>{escape(name)}</a></td>\n"
            f'    <td class="colsize">{size}</td>\n'
            f'    <td class="coldate">{date}</td>\n'
            "   </tr>\n"
        )
    page = (
        '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN" '
        '"http://www.w3.org/TR/html4/loose.dtd">\n'
        "<html>\n"
        " <head>\n"
        f"  <title>Listing of {title}</title>\n"
        f"{style}"
        " </head>\n"
        " <body>\n"
        f'  <h1 id="title">Listing of {title}</h1>\n'
        '  <table id="listing">\n'
        '   <tr id="heading">\n'
        '    <th class="colname">Name</th>\n'
        '    <th class="colsize">Size</th>\n'
        '    <th class="coldate">Date</th>\n'
        "   </tr>\n"
        f"{''.join(rows)}"
        "  </table>\n"
        " </body>\n"
        "</html>\n"
    )
    return page.encode("utf-8")
