# -*- test-case-name: mimic.test.test_control_clients,mimic.test.test_control_clients_integration -*-
"""
Configuration for OpenStack clients, written for this Mimic: a
``clouds.yaml`` entry named ``mimic`` and the same settings as
``export OS_...=`` lines, for ``GET /mimic/v1.1/clouds.yaml``.

The credentials are a user Mimic makes on first use (any password is
accepted for a user it has not been told about), asking for a project of
its own name, so the file works on a fresh Mimic, after a reset, and
after a restart.  Identity v3 is named explicitly (openstacksdk and the
``openstack`` CLI speak it by default; keystoneauth discovers it under
``/identity``) and a region is given, because every Mimic service lists
several regions and a client given none takes whichever comes first.

YAML is written by hand: every value is a double-quoted scalar written by
:func:`json.dumps`, which YAML reads as the same string, so no YAML
library is needed and no value can break the file.
"""

from __future__ import annotations

import json
import re
import shlex

#: The user the file authenticates as, unless the request names another.
DEFAULT_USERNAME = "mimic"

#: The region the file picks, unless the request names another: the
#: first region of every built-in service under the default profile (the
#: control API gives the profile's own first region: ``RegionOne`` under
#: ``openstack``).
DEFAULT_REGION = "ORD"

#: The entry's name under ``clouds:``, as ``openstack.connect(cloud=...)``
#: and ``openstack --os-cloud`` ask for it.
CLOUD_NAME = "mimic"

#: A password for the first-use user: Mimic accepts any, so this one
#: only has to be the same every time.
PASSWORD = "mimic"

#: What a username or region given in the query may be: short, printable,
#: without quotes or spaces, so that it is the same in every client's
#: configuration language.
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")

FORMATS = ("yaml", "env")


class BadClientQuery(ValueError):
    """
    A query the configuration cannot be written for; its message says
    why (the route answers 400 with it).
    """


def check_name(value: str | None, what: str, default: str) -> str:
    if value is None or value == "":
        return default
    if not _NAME.match(value):
        raise BadClientQuery(
            f"{what} {value[:70]!r} cannot be used: give 1 to 64 letters, digits, "
            "'_', '.', '@' or '-', starting with a letter or digit."
        )
    return value


def settings(root: str, username: str = DEFAULT_USERNAME, region: str = DEFAULT_REGION) -> dict[str, str]:
    """
    The client settings, by their ``OS_*`` names, for the Mimic reached at
    ``root`` (scheme and host, as the client reached it).
    """
    return {
        "OS_AUTH_URL": f"{root}/identity",
        "OS_IDENTITY_API_VERSION": "3",
        "OS_USERNAME": username,
        "OS_PASSWORD": PASSWORD,
        "OS_PROJECT_NAME": f"{username}-project",
        "OS_USER_DOMAIN_NAME": "Default",
        "OS_PROJECT_DOMAIN_NAME": "Default",
        "OS_REGION_NAME": region,
        "OS_INTERFACE": "public",
    }


def _quoted(value: str) -> str:
    return json.dumps(value)


def clouds_yaml(root: str, username: str = DEFAULT_USERNAME, region: str = DEFAULT_REGION) -> str:
    """
    A whole ``clouds.yaml`` with one cloud, ``mimic``.
    """
    given = settings(root, username, region)
    auth = [
        ("auth_url", given["OS_AUTH_URL"]),
        ("username", given["OS_USERNAME"]),
        ("password", given["OS_PASSWORD"]),
        ("project_name", given["OS_PROJECT_NAME"]),
        ("user_domain_name", given["OS_USER_DOMAIN_NAME"]),
        ("project_domain_name", given["OS_PROJECT_DOMAIN_NAME"]),
    ]
    lines = [
        f"# clouds.yaml for the Mimic at {_quoted(root)}: openstack --os-cloud {CLOUD_NAME} ...,",
        f'# or openstack.connect(cloud="{CLOUD_NAME}").  Any password works for a user',
        "# Mimic has not been told about; the project is the user's own.",
        "clouds:",
        f"  {CLOUD_NAME}:",
        "    auth:",
        *(f"      {key}: {_quoted(value)}" for key, value in auth),
        f"    identity_api_version: {given['OS_IDENTITY_API_VERSION']}",
        f"    region_name: {_quoted(given['OS_REGION_NAME'])}",
        f"    interface: {_quoted(given['OS_INTERFACE'])}",
    ]
    return "\n".join(lines) + "\n"


def environment(root: str, username: str = DEFAULT_USERNAME, region: str = DEFAULT_REGION) -> str:
    """
    The same settings as POSIX shell ``export`` lines, for ``eval`` or
    ``source``.
    """
    return "".join(
        f"export {name}={shlex.quote(value)}\n" for name, value in settings(root, username, region).items()
    )
