# -*- test-case-name: mimic.test.test_identity_extras -*-
"""
Keystone's domain-specific configuration: ``/v3/domains/{d}/config``
(the whole configuration, one group, one option) and the defaults at
``/v3/domains/config/default``.  Mimic keeps what it is given (for the
groups and options Keystone lets a domain set) and answers with it; it
does not change how the domain's users authenticate.  An
administrator's.
"""

from __future__ import annotations

from typing import Any

from klein import Klein
from twisted.web.iweb import IRequest

from mimic.http import json_response
from mimic.interfaces import IMimicCore
from mimic.services.identity.errors import keystone_error
from mimic.services.identity.policy import require_admin
from mimic.services.identity.v3_support import V3Base, keystone_errors

#: The options a domain may set, with Keystone's defaults.
DEFAULTS: dict[str, dict[str, Any]] = {
    "identity": {"driver": "sql", "list_limit": None},
    "ldap": {
        "url": "ldap://localhost",
        "user": None,
        "suffix": "cn=example,cn=com",
        "query_scope": "one",
        "page_size": 0,
        "chase_referrals": None,
        "use_tls": False,
        "user_tree_dn": None,
        "user_filter": None,
        "user_objectclass": "inetOrgPerson",
        "user_id_attribute": "cn",
        "user_name_attribute": "sn",
        "user_mail_attribute": "mail",
        "user_enabled_attribute": "enabled",
        "user_enabled_default": "True",
        "group_tree_dn": None,
        "group_filter": None,
        "group_objectclass": "groupOfNames",
        "group_id_attribute": "cn",
        "group_name_attribute": "ou",
        "group_member_attribute": "member",
        "group_desc_attribute": "description",
    },
}

#: Options that may be set but are never shown.
SENSITIVE = {"ldap": {"password"}}


def unsupported_group(group: str) -> Exception:
    return keystone_error(
        403, f"Invalid domain specific configuration: Group {group} is not supported "
        "for domain specific configurations."
    )


def _check(config: Any) -> dict[str, dict[str, Any]]:
    """
    A configuration as given: groups of options, each one Keystone lets
    a domain set (403 otherwise, as Keystone answers).
    """
    if not isinstance(config, dict) or not config:
        raise keystone_error(400, "Invalid input for field 'config': it must be a non-empty object.")
    for group, options in config.items():
        if group not in DEFAULTS:
            raise unsupported_group(group)
        if not isinstance(options, dict) or not options:
            raise keystone_error(400, f"Invalid input for field 'config.{group}': it must be a non-empty object.")
        for option in options:
            if option not in DEFAULTS[group] and option not in SENSITIVE.get(group, ()):
                raise keystone_error(
                    403, f"Invalid domain specific configuration: Option {option} in group "
                    f"{group} is not supported for domain specific configurations."
                )
    return {group: dict(options) for group, options in config.items()}


def _shown(config: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {
        group: {k: v for k, v in options.items() if k not in SENSITIVE.get(group, ())}
        for group, options in config.items()
    }


class DefaultConfigAPI(V3Base):
    """
    ``/v3/domains/config``: the defaults.
    """

    app = Klein()
    keystone_errors(app)

    @app.route("/default", methods=["GET", "HEAD"])
    def defaults(self, request: IRequest) -> bytes:
        require_admin(self.caller(request), "get_domain_config_default")
        return json_response(request, {"config": DEFAULTS})

    @app.route("/<group>/default", methods=["GET", "HEAD"])
    def group_defaults(self, request: IRequest, group: str) -> bytes:
        require_admin(self.caller(request), "get_domain_config_default")
        if group not in DEFAULTS:
            raise unsupported_group(group)
        return json_response(request, {"config": {group: DEFAULTS[group]}})

    @app.route("/<group>/<option>/default", methods=["GET", "HEAD"])
    def option_default(self, request: IRequest, group: str, option: str) -> bytes:
        require_admin(self.caller(request), "get_domain_config_default")
        _check({group: {option: None}})
        return json_response(request, {"config": {option: DEFAULTS[group].get(option)}})


class DomainConfigAPI(V3Base):
    """
    ``/v3/domains/{d}/config``.
    """

    app = Klein()
    keystone_errors(app)

    def __init__(self, core: IMimicCore, domain_id: str) -> None:
        super().__init__(core)
        self.domain_id = domain_id

    def _config(self, request: IRequest, action: str) -> dict[str, dict[str, Any]]:
        require_admin(self.caller(request), action)
        self.directory.domain(self.domain_id)
        config = self.directory.domain_configs.get(self.domain_id)
        if config is None:
            raise keystone_error(404, f"Could not find Domain Configuration for domain {self.domain_id}.")
        return config

    def _group(self, config: dict[str, dict[str, Any]], group: str) -> dict[str, Any]:
        if group not in config:
            raise keystone_error(404, f"Could not find group {group} in the configuration of domain {self.domain_id}.")
        return config[group]

    def _option(self, options: dict[str, Any], group: str, option: str) -> None:
        if option not in options or option in SENSITIVE.get(group, ()):
            raise keystone_error(
                404, f"Could not find option {option} in group {group} of domain {self.domain_id}."
            )

    @app.route("/", methods=["PUT"])
    def create(self, request: IRequest) -> bytes:
        require_admin(self.caller(request), "create_domain_config")
        self.directory.domain(self.domain_id)
        config = _check(self.body_object(request).get("config"))
        existed = self.domain_id in self.directory.domain_configs
        self.directory.domain_configs[self.domain_id] = config
        return json_response(request, {"config": _shown(config)}, 200 if existed else 201)

    @app.route("/", methods=["GET", "HEAD"])
    def show(self, request: IRequest) -> bytes:
        return json_response(request, {"config": _shown(self._config(request, "get_domain_config"))})

    @app.route("/", methods=["PATCH"])
    def update(self, request: IRequest) -> bytes:
        config = self._config(request, "update_domain_config")
        given = _check(self.body_object(request).get("config"))
        for group, options in given.items():
            config.setdefault(group, {}).update(options)
        return json_response(request, {"config": _shown(config)})

    @app.route("/", methods=["DELETE"])
    def delete(self, request: IRequest) -> bytes:
        self._config(request, "delete_domain_config")
        del self.directory.domain_configs[self.domain_id]
        return json_response(request, None, 204)

    @app.route("/<group>", methods=["GET", "HEAD"])
    def show_group(self, request: IRequest, group: str) -> bytes:
        config = self._config(request, "get_domain_config")
        return json_response(request, {"config": _shown({group: self._group(config, group)})})

    @app.route("/<group>", methods=["PATCH"])
    def update_group(self, request: IRequest, group: str) -> bytes:
        config = self._config(request, "update_domain_config")
        given = _check(self.body_object(request).get("config"))
        if set(given) != {group}:
            raise keystone_error(400, f"The configuration given must be of group {group} only.")
        self._group(config, group).update(given[group])
        return json_response(request, {"config": _shown({group: config[group]})})

    @app.route("/<group>", methods=["DELETE"])
    def delete_group(self, request: IRequest, group: str) -> bytes:
        config = self._config(request, "delete_domain_config")
        self._group(config, group)
        del config[group]
        return json_response(request, None, 204)

    @app.route("/<group>/<option>", methods=["GET", "HEAD"])
    def show_option(self, request: IRequest, group: str, option: str) -> bytes:
        options = self._group(self._config(request, "get_domain_config"), group)
        self._option(options, group, option)
        return json_response(request, {"config": {option: options[option]}})

    @app.route("/<group>/<option>", methods=["PATCH"])
    def update_option(self, request: IRequest, group: str, option: str) -> bytes:
        options = self._group(self._config(request, "update_domain_config"), group)
        given = self.body_object(request).get("config")
        if not isinstance(given, dict) or set(given) != {option}:
            raise keystone_error(400, f"The configuration given must be of option {option} only.")
        _check({group: given})
        options[option] = given[option]
        return json_response(request, {"config": _shown({group: options})})

    @app.route("/<group>/<option>", methods=["DELETE"])
    def delete_option(self, request: IRequest, group: str, option: str) -> bytes:
        config = self._config(request, "delete_domain_config")
        options = self._group(config, group)
        self._option(options, group, option)
        del options[option]
        if not options:
            del config[group]
        return json_response(request, None, 204)
