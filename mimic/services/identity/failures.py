# -*- test-case-name: mimic.test.test_identity_v2 -*-
"""
Identity's known error conditions.

Authentication is the first thing every client does, so an identity
outage is the first negative path worth testing: registered through the
control API (there is no metadata on an auth request), it applies to v2
and v3 authentication alike.  Both ask
``core.failures.decide(AUTHENTICATION, {"username": ..., "tenant_id":
...})`` once the request is understood and before any user or token is
made; the normal outcome is ``None`` (go on), ``fail`` raises its
error from there, and ``locked`` and ``password_expired`` give a
:class:`Refusal` the route words for the user.  Failing a given user N
times is ``fail`` with ``code`` 401, a ``username`` criterion and
``times``; an outage is ``fail`` with 503.
"""

from __future__ import annotations

from typing import Any, Mapping, NoReturn

from attrs import frozen

from mimic.failures import Condition, Event, Parameter
from mimic.services.identity.errors import UNEXPECTED, keystone_error, rackspace_fault


def refuse(parameters: Mapping[str, Any]) -> NoReturn:
    """
    ``fail``: the token request is answered with the error asked for, in
    Keystone's shape, or in Rackspace's fault shape when a ``type`` is
    given.
    """
    if parameters["type"]:
        raise rackspace_fault(parameters["type"], parameters["code"], parameters["message"])
    raise keystone_error(parameters["code"], parameters["message"])


@frozen
class Refusal:
    """
    What ``locked`` and ``password_expired`` decide: a 401 naming the
    user, which only the route knows (it raises
    :meth:`~mimic.session.AuthenticationFailed` with :meth:`message`).
    """

    template: str

    def message(self, user_id: str) -> str:
        return self.template.format(user_id=user_id)


@frozen
class ExpiresEarly:
    """
    What ``expires_early`` decides: the token is issued as usual, and
    then expires ``seconds`` after it was issued (on Mimic's clock),
    whatever its ``expires_at`` says.
    """

    seconds: float


def expires_early(parameters: Mapping[str, Any]) -> ExpiresEarly:
    return ExpiresEarly(parameters["seconds"])


#: Keystone's messages (its AccountLocked and PasswordExpired errors).
ACCOUNT_LOCKED = "The account is locked for user: {user_id}."
PASSWORD_EXPIRED = "The password is expired and needs to be changed for user: {user_id}."


def locked(parameters: Mapping[str, Any]) -> Refusal:
    return Refusal(ACCOUNT_LOCKED)


def password_expired(parameters: Mapping[str, Any]) -> Refusal:
    return Refusal(PASSWORD_EXPIRED)


AUTHENTICATION = Event(
    service="identity",
    name="authentication",
    aliases=("auth",),
    description="A client asks for a token (v2.0 POST /tokens, v3 POST /auth/tokens).",
    criteria=("username", "tenant_id"),
    conditions=(
        Condition(
            "fail",
            "Identity answers the token request with an error instead of a token, "
            "as during an outage (500/503) or when throttling (429/413).",
            parameters=(
                Parameter.status(),
                Parameter("message", "The error message in the Keystone error body.", str, UNEXPECTED),
                Parameter(
                    "type",
                    "When given (e.g. identityFault, serviceUnavailable), the body is "
                    "Rackspace Identity's fault shape {type: {code, message}} instead of "
                    "Keystone's {error: {code, title, message}}; old mimic suites send it.",
                    str,
                    "",
                ),
            ),
            effect=refuse,
        ),
        Condition(
            "locked",
            "Keystone's lockout (security_compliance.lockout_failure_attempts): the "
            "user's account is locked and authentication answers 401 \"The account is "
            "locked for user: <id>.\"  Match on username and give times to lock it for "
            "that many attempts.",
            effect=locked,
        ),
        Condition(
            "expires_early",
            "The token is issued as usual but stops working ``seconds`` after it was "
            "issued on Mimic's clock (a revocation the client was not told of, or a "
            "clock skew): identity and every service then answer 401 as for an "
            "expired token.",
            parameters=(
                Parameter("seconds", "How long the token works.", float, 60.0, minimum=0),
            ),
            effect=expires_early,
        ),
        Condition(
            "password_expired",
            "The user's password has expired (security_compliance.password_expires_days): "
            "401 \"The password is expired and needs to be changed for user: <id>.\"; the "
            "user changes it with POST /v3/users/{id}/password.",
            effect=password_expired,
        ),
    ),
)

@frozen
class NotYetVisible:
    """
    What ``not_yet_visible`` decides: the grant is stored, but the role
    is not held until ``seconds`` have passed on Mimic's clock.
    """

    seconds: float


def not_yet_visible(parameters: Mapping[str, Any]) -> NotYetVisible:
    return NotYetVisible(parameters["seconds"])


ROLE_GRANT = Event(
    service="identity",
    name="role_grant",
    description="An administrator grants a role on a project "
    "(v3 PUT /projects/{p}/users/{u}/roles/{r}).",
    criteria=("user_id", "project_id", "role_name"),
    conditions=(
        Condition(
            "not_yet_visible",
            "Eventual consistency: the grant answers 204, but for ``seconds`` of Mimic's "
            "clock the user does not hold the role (a token for the project is refused "
            "with 401 and the role check answers 404); then it does.  Match on user_id, "
            "project_id or role_name.",
            parameters=(
                Parameter("seconds", "How long the grant stays unseen.", float, 5.0, minimum=0),
            ),
            effect=not_yet_visible,
        ),
    ),
)

EVENTS = (AUTHENTICATION, ROLE_GRANT)

