# -*- test-case-name: mimic.test.test_compute_resources -*-
"""
Compute keypairs (``/os-keypairs``, by :class:`KeypairsAPI`): create with
a freshly generated key, import a public key, get, list and delete, with
Nova's validation and conflict errors and its per-microversion response
shapes.  The keypairs themselves are kept in the compute state
(:class:`mimic.services.compute.model.KeypairStore`).

Generated keys are real: an RSA key pair in the formats Nova hands out
(an OpenSSH public key, a PEM private key), or an X.509 certificate for
``"type": "x509"``, made with the ``cryptography`` package.
"""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import datetime, timedelta, timezone
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from klein import Klein
from twisted.web.iweb import IRequest

from mimic.http import json_response, page, read_json
from mimic.services.compute.errors import handle_nova_errors, nova_error
from mimic.services.compute.model import ComputeState, Keypair
from mimic.services.compute.versions import Microversion
from mimic.services.compute.web import (
    ContextFactory,
    RequestContext,
    limit_and_marker,
    next_links,
)

#: Nova's default ``key_pairs`` quota per user (a tenant's own, which
#: ``os-quota-sets`` may change, is in the compute state's quotas).
MAX_KEYPAIRS = 100

#: Key names Nova accepts before 2.92 and from 2.92 on (which adds ``@``).
_NAME_PATTERN = r"^(?! )[a-zA-Z0-9. _-]+(?<! )$"
_NAME_PATTERN_292 = r"^(?! )[a-zA-Z0-9. _@-]+(?<! )$"

_SSH = "ssh"
_X509 = "x509"


def listed_json(keypair: Keypair, microversion: Microversion) -> dict[str, Any]:
    """
    The entry of ``GET /os-keypairs`` (inside ``{"keypair": ...}``).
    """
    body: dict[str, Any] = {
        "name": keypair.name,
        "public_key": keypair.public_key,
        "fingerprint": keypair.fingerprint,
    }
    if microversion >= (2, 2):
        body["type"] = keypair.type
    return body


def detail_json(keypair: Keypair, microversion: Microversion) -> dict[str, Any]:
    """
    ``GET /os-keypairs/<name>``.
    """
    body = listed_json(keypair, microversion)
    body.update(
        {
            "user_id": keypair.user_id,
            "id": keypair.id,
            "deleted": False,
            "created_at": _nova_timestamp(keypair.created_at),
            "updated_at": None,
            "deleted_at": None,
        }
    )
    return body


def _nova_timestamp(seconds: float) -> str:
    # Nova's database timestamps: no zone, microseconds.
    return datetime.fromtimestamp(seconds, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")


def ssh_fingerprint(public_key: str) -> str | None:
    """
    The MD5 fingerprint Nova shows for an OpenSSH public key
    (``aa:bb:...``), or None if the text is not a valid public key.
    """
    try:
        serialization.load_ssh_public_key(public_key.strip().encode("utf-8"))
        blob = base64.b64decode(public_key.split()[1], validate=True)
    except (ValueError, IndexError, TypeError, UnicodeError):
        return None
    except Exception:  # cryptography raises UnsupportedAlgorithm for odd key types.
        return None
    digest = hashlib.md5(blob, usedforsecurity=False).hexdigest()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


def x509_fingerprint(certificate: str) -> str | None:
    """
    The SHA-1 fingerprint Nova shows for an X.509 certificate, or None if
    the text is not a PEM certificate.
    """
    try:
        cert = x509.load_pem_x509_certificate(certificate.encode("utf-8"))
    except (ValueError, UnicodeError):
        return None
    digest = cert.fingerprint(hashes.SHA1()).hex()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


def generate_ssh_keypair() -> tuple[str, str]:
    """
    A new RSA key pair: (OpenSSH public key, PEM private key), as Nova's
    key generation gives them.
    """
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode("ascii")
    public = key.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    ).decode("ascii")
    return f"{public} Generated-by-Nova", private


def generate_x509_keypair(user_id: str, now: float) -> tuple[str, str]:
    """
    A new self-signed certificate and its private key (PEM each), for
    ``"type": "x509"`` keypairs (used by Windows guests).
    """
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, user_id or "mimic")])
    start = datetime.fromtimestamp(now, tz=timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")
    return certificate.public_bytes(serialization.Encoding.PEM).decode("ascii"), private


def _invalid(field_name: str, value: Any, reason: str) -> Exception:
    # Nova's JSON-schema validation message.
    return nova_error(
        400, f"Invalid input for field/attribute {field_name}. Value: {value}. {reason}"
    )


def _parse_create(body: Any, ctx: RequestContext) -> dict[str, Any]:
    """
    Validate a create request as Nova's schema for the microversion does.
    """
    if not isinstance(body, dict) or "keypair" not in body:
        raise _invalid("keypair", body, "'keypair' is a required property")
    extra = sorted(set(body) - {"keypair"})
    if extra:
        raise nova_error(
            400,
            "Invalid input for field/attribute request body. Additional properties are not "
            f"allowed ({', '.join(repr(k) for k in extra)} {'was' if len(extra) == 1 else 'were'} unexpected)",
        )
    params = body["keypair"]
    if not isinstance(params, dict):
        raise _invalid("keypair", params, f"{params!r} is not of type 'object'")
    allowed = {"name", "public_key"}
    if ctx.microversion >= (2, 2):
        allowed.add("type")
    if ctx.microversion >= (2, 10):
        allowed.add("user_id")
    extra = sorted(set(params) - allowed)
    if extra:
        raise nova_error(
            400,
            "Invalid input for field/attribute keypair. Additional properties are not "
            f"allowed ({', '.join(repr(k) for k in extra)} {'was' if len(extra) == 1 else 'were'} unexpected)",
        )
    required = ["name", "public_key"] if ctx.microversion >= (2, 92) else ["name"]
    for key in required:
        if key not in params:
            raise _invalid("keypair", params, f"'{key}' is a required property")
    name = params["name"]
    if not isinstance(name, str):
        raise _invalid("name", name, f"{name!r} is not of type 'string'")
    if not 1 <= len(name) <= 255:
        raise _invalid("name", name, f"{name!r} is too {'short' if not name else 'long'}")
    pattern = _NAME_PATTERN_292 if ctx.microversion >= (2, 92) else _NAME_PATTERN
    if not re.match(pattern, name):
        raise _invalid("name", name, f"{name!r} does not match '{pattern}'")
    key_type = params.get("type", _SSH)
    if key_type not in (_SSH, _X509):
        raise _invalid("type", key_type, f"{key_type!r} is not one of ['ssh', 'x509']")
    public_key = params.get("public_key")
    if public_key is not None and not isinstance(public_key, str):
        raise _invalid("public_key", public_key, f"{public_key!r} is not of type 'string'")
    user_id = params.get("user_id", ctx.user_id)
    if not isinstance(user_id, str) or not user_id:
        raise _invalid("user_id", user_id, f"{user_id!r} is not of type 'string'")
    return {"name": name, "type": key_type, "public_key": public_key, "user_id": user_id}


class KeypairsAPI:
    """
    ``/os-keypairs`` for one request, over the tenant's keypairs in
    ``state``.
    """

    app = Klein()
    handle_nova_errors(app)

    def __init__(self, context: ContextFactory, state: ComputeState) -> None:
        self.context = context
        self.state = state

    @app.route("/", methods=["POST"])
    def create_keypair(self, request: IRequest) -> bytes:
        """
        Import ``public_key`` or generate a pair (then the response
        carries ``private_key``, the only time it is shown).
        """
        ctx = self.context()
        params = _parse_create(read_json(request, nova_error), ctx)
        keypairs = self.state.keypairs
        name = params["name"]
        if keypairs.get(name) is not None:
            raise nova_error(409, f"Key pair '{name}' already exists.")
        allowed = self.state.quotas.key_pairs
        if 0 <= allowed <= len(keypairs):
            raise nova_error(403, "Quota exceeded, too many key pairs.")
        private_key = None
        public_key = params["public_key"]
        if public_key is None:
            if params["type"] == _X509:
                public_key, private_key = generate_x509_keypair(params["user_id"], ctx.now)
            else:
                public_key, private_key = generate_ssh_keypair()
        if params["type"] == _X509:
            fingerprint = x509_fingerprint(public_key)
            reason = "failed to generate X509 fingerprint"
        else:
            fingerprint = ssh_fingerprint(public_key)
            reason = "failed to generate fingerprint"
        if fingerprint is None:
            raise nova_error(400, f"Keypair data is invalid: {reason}")
        keypair = keypairs.add(name, params["type"], public_key, fingerprint, params["user_id"], ctx.now)
        body = listed_json(keypair, ctx.microversion)
        body["user_id"] = keypair.user_id
        if private_key is not None:
            body["private_key"] = private_key
        return json_response(request, {"keypair": body}, 201 if ctx.microversion >= (2, 2) else 200)

    @app.route("/", methods=["GET"])
    def list_keypairs(self, request: IRequest) -> bytes:
        """
        ``limit``/``marker`` paging from 2.35.
        """
        ctx = self.context()
        items = list(self.state.keypairs)
        body: dict[str, Any] = {}
        if ctx.microversion >= (2, 35):
            limit, marker = limit_and_marker(request)
            paged = page(items, lambda k: k.name, limit, marker)
            if paged is None:
                raise nova_error(400, f"marker [{marker}] not found")
            items, more = paged
            links = next_links(ctx, request, "os-keypairs", items[-1].name if items else None, more)
            if links:
                body["keypairs_links"] = links
        body["keypairs"] = [{"keypair": listed_json(keypair, ctx.microversion)} for keypair in items]
        return json_response(request, body)

    def _require(self, ctx: RequestContext, name: str) -> Keypair:
        keypair = self.state.keypairs.get(name)
        if keypair is None:
            raise nova_error(404, f"Keypair {name} not found for user {ctx.user_id}")
        return keypair

    @app.route("/<name>", methods=["GET"])
    def show_keypair(self, request: IRequest, name: str) -> bytes:
        ctx = self.context()
        return json_response(request, {"keypair": detail_json(self._require(ctx, name), ctx.microversion)})

    @app.route("/<name>", methods=["DELETE"])
    def delete_keypair(self, request: IRequest, name: str) -> bytes:
        """
        202 in v2.1, 204 from 2.2.
        """
        ctx = self.context()
        self._require(ctx, name)
        self.state.keypairs.delete(name)
        return json_response(request, None, 204 if ctx.microversion >= (2, 2) else 202)
