"""Bearer tokens: every way a token can be bad, and the few ways it is good."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from gateway.cli.main import COMMAND_MODULES
from gateway.errors import Forbidden, Unauthenticated
from gateway.http.auth import TokenVerifier, issue_token
from gateway.policy.policy import Vocabulary
from gateway.settings import DEV_SECRET, Settings

SECRET = "unit-test-secret-of-a-decent-length-0123456789"
ISSUER, AUDIENCE = "unit-issuer", "unit-audience"
VOCABULARY = Vocabulary(frozenset({"caseworker", "analyst"}),
                        frozenset({"direct_care", "service_planning"}))


def settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {"jwt_secret": SECRET, "jwt_public_key_file": None,
                              "jwt_issuer": ISSUER, "jwt_audience": AUDIENCE, "dev_mode": False}
    values.update(overrides)
    return Settings(**values)


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    values: dict[str, Any] = {"sub": "alice", "roles": ["caseworker"], "purpose": "direct_care",
                              "team": "north-children", "iss": ISSUER, "aud": AUDIENCE,
                              "iat": now, "exp": now + 86_400}  # built at collection: outlives a long run
    values.update(overrides)
    return {key: value for key, value in values.items() if value is not None}


def hs256(payload: dict[str, Any], key: str = SECRET) -> str:
    return jwt.encode(payload, key, algorithm="HS256")


@pytest.fixture
def verifier() -> TokenVerifier:
    return TokenVerifier(settings(), vocabulary=lambda: VOCABULARY)


def test_a_good_token_gives_the_requester(verifier: TokenVerifier) -> None:
    requester = verifier.verify("Bearer " + hs256(claims(roles=["caseworker", "analyst"],
                                                         grade="senior")))
    assert requester.user == "alice"
    assert requester.roles == ("caseworker", "analyst")
    assert requester.purpose == "direct_care"
    assert requester.attribute("team") == "north-children"
    assert requester.attribute("grade") == "senior"
    assert requester.attribute("iss") is None


TOKEN = hs256(claims())

BAD_TOKENS: list[tuple[str, str | None, str]] = [
    ("no header", None, "a bearer token is required"),
    ("empty header", "", "a bearer token is required"),
    ("basic auth", "Basic YWxpY2U6c2VjcmV0", "must be 'Bearer <token>'"),
    ("bearer without token", "Bearer ", "must be 'Bearer <token>'"),
    ("not a jwt", "Bearer not-a-token", "not a well-formed JWT"),
    ("two segments", "Bearer eyJhbGciOiJIUzI1NiJ9.e30", "not a well-formed JWT"),
    ("bad base64", "Bearer " + TOKEN.split(".")[0] + ".!!!." + TOKEN.split(".")[2],
     "not a well-formed JWT"),
    ("payload not json", "Bearer " + jwt.api_jws.encode(b"not json", SECRET, algorithm="HS256"),
     "not a valid token"),
    ("tampered payload", "Bearer " + ".".join([
        TOKEN.split(".")[0],
        jwt.utils.base64url_encode(json.dumps(claims(roles=["analyst"])).encode()).decode(),
        TOKEN.split(".")[2]]), "signature does not verify"),
    ("wrong secret", "Bearer " + hs256(claims(), "another-secret-of-a-decent-length-0123456789"),
     "signature does not verify"),
    ("expired", "Bearer " + hs256(claims(exp=int(time.time()) - 120)), "has expired"),
    ("not yet valid", "Bearer " + hs256(claims(nbf=int(time.time()) + 86_400)), "not valid yet"),
    ("no exp", "Bearer " + hs256(claims(exp=None)), "no 'exp' claim"),
    ("no iss", "Bearer " + hs256(claims(iss=None)), "no 'iss' claim"),
    ("wrong iss", "Bearer " + hs256(claims(iss="someone-else")), "issuer"),
    ("no aud", "Bearer " + hs256(claims(aud=None)), "no 'aud' claim"),
    ("wrong aud", "Bearer " + hs256(claims(aud="another-service")), "another audience"),
    ("no sub", "Bearer " + hs256(claims(sub=None)), "no 'sub' claim"),
    ("roles not a list", "Bearer " + hs256(claims(roles="caseworker")), "'roles' claim"),
    ("no roles", "Bearer " + hs256(claims(roles=[])), "'roles' claim"),
    ("a role not a string", "Bearer " + hs256(claims(roles=["caseworker", 7])), "'roles' claim"),
    ("no purpose", "Bearer " + hs256(claims(purpose=None)), "no 'purpose' claim"),
    ("alg none", "Bearer " + jwt.encode(claims(), "", algorithm="none"), "algorithm"),
    ("too long", "Bearer " + "a" * 10000, "too long"),
]


@pytest.mark.parametrize(("header", "message"), [(h, m) for _, h, m in BAD_TOKENS],
                         ids=[name for name, _, _ in BAD_TOKENS])
def test_bad_tokens_are_unauthenticated(header: str | None, message: str,
                                        verifier: TokenVerifier) -> None:
    with pytest.raises(Unauthenticated, match=message) as raised:
        verifier.verify(header)
    assert raised.value.status == 401
    if header:  # the token is never echoed back
        token = header.partition(" ")[2]
        assert not token or token not in raised.value.message
        for part in token.split("."):
            assert len(part) < 8 or part not in raised.value.message


@pytest.mark.parametrize(("changes", "message"), [
    ({"roles": ["caseworker", "janitor"]}, "role 'janitor' is not known"),
    ({"purpose": "curiosity"}, "purpose 'curiosity' is not known"),
])
def test_unknown_role_or_purpose_is_forbidden(changes: dict[str, Any], message: str,
                                              verifier: TokenVerifier) -> None:
    with pytest.raises(Forbidden, match=message) as raised:
        verifier.verify("Bearer " + hs256(claims(**changes)))
    assert raised.value.status == 403


def _rsa_pem(tmp_path: Path) -> tuple[rsa.RSAPrivateKey, Path]:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = tmp_path / "public.pem"
    path.write_bytes(private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    return private, path


def test_rs256_with_a_pem_public_key(tmp_path: Path) -> None:
    private, path = _rsa_pem(tmp_path)
    verifier = TokenVerifier(settings(jwt_secret=None, jwt_public_key_file=path))
    token = jwt.encode(claims(), private, algorithm="RS256")
    assert verifier.verify(f"Bearer {token}").user == "alice"
    # an HS256 token is not accepted when no shared secret is configured
    with pytest.raises(Unauthenticated, match="algorithm"):
        verifier.verify("Bearer " + hs256(claims()))
    # algorithm confusion: the public key used as an HMAC secret
    public_pem = path.read_text()
    forged_header = jwt.utils.base64url_encode(b'{"alg":"HS256","typ":"JWT"}').decode()
    forged_payload = jwt.utils.base64url_encode(json.dumps(claims()).encode()).decode()
    signature = hmac.new(public_pem.encode(), f"{forged_header}.{forged_payload}".encode(),
                         hashlib.sha256).digest()
    confused = f"{forged_header}.{forged_payload}.{jwt.utils.base64url_encode(signature).decode()}"
    with pytest.raises(Unauthenticated):
        verifier.verify(f"Bearer {confused}")
    # ES256 claimed while the key is RSA
    ec_private = ec.generate_private_key(ec.SECP256R1())
    with pytest.raises(Unauthenticated):
        verifier.verify("Bearer " + jwt.encode(claims(), ec_private, algorithm="ES256"))


def test_es256_with_a_jwks(tmp_path: Path) -> None:
    private = ec.generate_private_key(ec.SECP256R1())
    jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(private.public_key()))
    jwk["kid"] = "council-2026"
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps({"keys": [jwk]}))
    verifier = TokenVerifier(settings(jwt_secret=None, jwt_public_key_file=path))
    good = jwt.encode(claims(), private, algorithm="ES256", headers={"kid": "council-2026"})
    assert verifier.verify(f"Bearer {good}").purpose == "direct_care"
    unknown = jwt.encode(claims(), private, algorithm="ES256", headers={"kid": "stolen"})
    with pytest.raises(Unauthenticated, match="unknown key"):
        verifier.verify(f"Bearer {unknown}")
    other = ec.generate_private_key(ec.SECP256R1())
    forged = jwt.encode(claims(), other, algorithm="ES256", headers={"kid": "council-2026"})
    with pytest.raises(Unauthenticated, match="signature does not verify"):
        verifier.verify(f"Bearer {forged}")


def test_dev_mode_uses_the_dev_secret_when_no_key_is_configured() -> None:
    verifier = TokenVerifier(settings(jwt_secret=None, dev_mode=True))
    assert verifier.verify("Bearer " + hs256(claims(), DEV_SECRET)).user == "alice"


def test_without_dev_mode_a_key_is_required() -> None:
    with pytest.raises(ValueError, match="no key verifies bearer tokens"):
        TokenVerifier(settings(jwt_secret=None, dev_mode=False))


def test_issued_tokens_verify() -> None:
    configured = settings(jwt_secret=None, dev_mode=True)
    token = issue_token(configured, "bob", ["analyst"], "service_planning", {"team": "t1"}, 60)
    requester = TokenVerifier(configured).verify(f"Bearer {token}")
    assert (requester.user, requester.roles, requester.attribute("team")) == (
        "bob", ("analyst",), "t1")


def test_token_command_refuses_without_dev_mode(monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("GATEWAY_DEV_MODE", "0")
    from gateway.cli.main import main

    assert main(["token", "--user", "u", "--role", "analyst", "--purpose", "audit"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "GATEWAY_DEV_MODE=1" in captured.err
    assert "gateway.cli.token" in COMMAND_MODULES


def test_token_command_prints_a_token_in_dev_mode(monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("GATEWAY_DEV_MODE", "1")
    monkeypatch.delenv("GATEWAY_JWT_SECRET", raising=False)
    from gateway.cli.main import main

    assert main(["token", "--user", "u", "--role", "caseworker", "--role", "analyst",
                 "--purpose", "direct_care", "--team", "north", "--ttl", "60"]) == 0
    token = capsys.readouterr().out.strip()
    decoded = jwt.decode(token, DEV_SECRET, algorithms=["HS256"], audience="citizen-gateway")
    assert decoded["roles"] == ["caseworker", "analyst"] and decoded["team"] == "north"
    assert decoded["exp"] - decoded["iat"] == 60
