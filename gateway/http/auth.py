"""Authenticate: a bearer token becomes the verified Requester every decision is about.

Tokens are JWTs: HS256 with a shared secret (`jwt_secret`), or RS256/ES256 with a public key
(`jwt_public_key_file`, a PEM key or a JWKS). `exp`, `iss` and `aud` are required and checked.
Claims: `sub` (the user), `roles` (a list), `purpose` (the purpose of use), and optional string
attributes such as `team`. A missing, malformed, forged or expired token is Unauthenticated; a
role or purpose the policy does not know is Forbidden. Messages never repeat the token.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePublicKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from gateway.errors import ConfigError, Unauthenticated
from gateway.policy.authorize import check_vocabulary
from gateway.policy.policy import Vocabulary
from gateway.requester import Requester
from gateway.settings import DEV_SECRET, Settings

ASYMMETRIC = ("RS256", "ES256")
REQUIRED_CLAIMS = ("exp", "iss", "aud", "sub")
# Claims with a meaning of their own; every other string claim is an attribute of the requester.
_RESERVED = frozenset({"exp", "iss", "aud", "sub", "iat", "nbf", "jti", "roles", "purpose"})
_MAX_TOKEN = 8192
_MAX_CLAIM = 256  # characters in one claim's text
LEEWAY_SECONDS = 30


def _algorithm_of(key: Any) -> str:
    if isinstance(key, RSAPublicKey):
        return "RS256"
    if isinstance(key, EllipticCurvePublicKey):
        return "ES256"
    raise ConfigError("the token verification key must be an RSA or EC public key")


def read_public_keys(path: Path) -> dict[str, tuple[Any, str]]:
    """The verification keys in a PEM file ("" -> key) or a JWKS file (kid -> key), each with
    the one algorithm it verifies."""
    text = path.read_text(encoding="utf-8")
    if text.lstrip().startswith("{"):
        keys = {}
        for jwk in jwt.PyJWKSet.from_json(text).keys:
            keys[jwk.key_id or ""] = (jwk.key, _algorithm_of(jwk.key))
        return keys
    key = load_pem_public_key(text.encode())
    return {"": (key, _algorithm_of(key))}


class TokenVerifier:
    """`verify(authorization_header) -> Requester`, with the keys read once from the settings."""

    def __init__(self, settings: Settings,
                 vocabulary: Callable[[], Vocabulary] | None = None) -> None:
        self.issuer = settings.jwt_issuer
        self.audience = settings.jwt_audience
        self.vocabulary = vocabulary
        self.secret: str | None = settings.jwt_secret
        self.public_keys: dict[str, tuple[Any, str]] = {}
        if settings.jwt_public_key_file is not None:
            self.public_keys = read_public_keys(Path(settings.jwt_public_key_file))
        if self.secret is None and not self.public_keys:
            if not settings.dev_mode:
                raise ConfigError("no key verifies bearer tokens: set GATEWAY_JWT_SECRET or "
                                 "GATEWAY_JWT_PUBLIC_KEY_FILE (or GATEWAY_DEV_MODE=1 for "
                                 "development)")
            self.secret = DEV_SECRET

    def _key(self, token: str) -> tuple[Any, str]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise Unauthenticated("the bearer token is not a well-formed JWT") from None
        algorithm = header.get("alg")
        if algorithm == "HS256" and self.secret is not None:
            return self.secret, algorithm
        if algorithm in ASYMMETRIC and self.public_keys:
            kid = header.get("kid")
            found = self.public_keys.get(str(kid)) if kid is not None else (
                next(iter(self.public_keys.values())) if len(self.public_keys) == 1 else None)
            if found is None:
                raise Unauthenticated("the bearer token is signed by an unknown key")
            key, key_algorithm = found
            if key_algorithm == algorithm:
                return key, key_algorithm
        raise Unauthenticated("the bearer token is signed with an algorithm this gateway does "
                              "not accept")

    def decode(self, token: str) -> dict[str, Any]:
        """The verified claims of `token`, or Unauthenticated saying what is wrong with it."""
        if len(token) > _MAX_TOKEN:
            raise Unauthenticated("the bearer token is too long")
        key, algorithm = self._key(token)
        try:
            claims: dict[str, Any] = jwt.decode(
                token, key, algorithms=[algorithm], audience=self.audience, issuer=self.issuer,
                leeway=LEEWAY_SECONDS, options={"require": list(REQUIRED_CLAIMS)})
        except jwt.ExpiredSignatureError:
            raise Unauthenticated("the bearer token has expired") from None
        except jwt.ImmatureSignatureError:
            raise Unauthenticated("the bearer token is not valid yet") from None
        except jwt.MissingRequiredClaimError as error:
            raise Unauthenticated(f"the bearer token has no {error.claim!r} claim") from None
        except jwt.InvalidAudienceError:
            raise Unauthenticated("the bearer token is meant for another audience") from None
        except jwt.InvalidIssuerError:
            raise Unauthenticated("the bearer token comes from an issuer this gateway does not "
                                  "trust") from None
        except jwt.InvalidSignatureError:
            raise Unauthenticated("the bearer token's signature does not verify") from None
        except jwt.PyJWTError:
            raise Unauthenticated("the bearer token is not a valid token") from None
        return claims

    def verify(self, authorization_header: str | None) -> Requester:
        if not authorization_header:
            raise Unauthenticated("a bearer token is required (Authorization: Bearer ...)")
        scheme, _, token = authorization_header.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise Unauthenticated("the Authorization header must be 'Bearer <token>'")
        requester = requester_from_claims(self.decode(token))
        if self.vocabulary is not None:
            check_vocabulary(requester, self.vocabulary())
        return requester


def requester_from_claims(claims: dict[str, Any]) -> Requester:
    user, roles, purpose = claims.get("sub"), claims.get("roles"), claims.get("purpose")
    if not isinstance(user, str) or not user:
        raise Unauthenticated("the bearer token's 'sub' claim must name the user")
    if (not isinstance(roles, list) or not roles
            or not all(isinstance(role, str) and role for role in roles)):
        raise Unauthenticated("the bearer token's 'roles' claim must be a list of role names")
    if not isinstance(purpose, str) or not purpose:
        raise Unauthenticated("the bearer token has no 'purpose' claim (the purpose of use)")
    attributes = tuple(sorted((name, value) for name, value in claims.items()
                              if name not in _RESERVED and isinstance(value, str)))
    for claim, text in (("sub", user), ("purpose", purpose), *(("roles", role) for role in roles),
                        *attributes):
        if not _printable(text):
            raise Unauthenticated(f"the bearer token's '{claim}' claim must be printable text "
                                  f"of at most {_MAX_CLAIM} characters")
    return Requester(user, tuple(dict.fromkeys(roles)), purpose, attributes)


def _printable(text: str) -> bool:
    """Any script, but no control characters and no lone surrogates: a claim reaches the audit
    log, the engine's user name and, for attributes such as the team, SQL literals."""
    return len(text) <= _MAX_CLAIM and not any(
        unicodedata.category(character) in ("Cc", "Cs") for character in text)


def issue_token(settings: Settings, user: str, roles: list[str], purpose: str,
                attributes: dict[str, str] | None = None, ttl_seconds: int = 3600,
                now: int | None = None) -> str:
    """A development token signed with the HS256 secret (the dev secret when none is set)."""
    import time

    issued = int(time.time()) if now is None else now
    claims: dict[str, Any] = {
        "sub": user, "roles": roles, "purpose": purpose, "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience, "iat": issued, "exp": issued + ttl_seconds,
        **(attributes or {}),
    }
    return jwt.encode(claims, settings.jwt_secret or DEV_SECRET, algorithm="HS256")
