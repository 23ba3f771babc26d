"""The loopback OpenID Connect provider for the SSO tests (see tests/sso/idp/): a second Django
process with django-oauth-toolkit, its own SQLite database and a fresh RSA signing key."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

ROOT = Path(__file__).resolve().parents[2]
CLIENT_ID = "pace-hub-aberdeen"
CLIENT_SECRET = "provider-issued-secret-for-the-tests"
PASSWORD = "provider-password"
# username, e-mail, last name (the last name picks a misbehaviour: see tests/sso/idp/validator.py)
PEOPLE = {
    "alice": ("alice.gordon@aberdeencity.gov.uk", "Gordon"),
    "audience": ("wrong.audience@aberdeencity.gov.uk", "wrong-audience"),
    "late": ("late.token@aberdeencity.gov.uk", "expired"),
    "unverified": ("not.verified@aberdeencity.gov.uk", "unverified"),
    "stranger": ("new.starter@aberdeencity.gov.uk", "Starter"),
    "elsewhere": ("alice.gordon@example.org", "Elsewhere"),
}


@dataclass
class Provider:
    base: str
    issuer: str
    environment: dict

    def add_redirect_uri(self, uri: str) -> None:
        """Register another callback address of PACE Hub (e.g. the live server's)."""
        _run_setup(self.environment, "add-redirect", uri)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run_setup(environment: dict, *arguments: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "tests.sso.idp.setup_provider", *arguments],
        env=environment,
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=120,
    )


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory) -> Provider:
    directory = tmp_path_factory.mktemp("identity-provider")
    signing_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key_file = directory / "signing-key.pem"
    key_file.write_bytes(
        signing_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    environment = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL"}} | {
        "DJANGO_SETTINGS_MODULE": "tests.sso.idp.settings",
        "IDP_DATABASE": str(directory / "provider.sqlite3"),
        "IDP_SIGNING_KEY": str(key_file),
        "IDP_ISSUER": f"{base}/o",
        "PYTHONPATH": str(ROOT),
    }
    people = [f"{username}:{email}:{last}" for username, (email, last) in PEOPLE.items()]
    _run_setup(
        environment,
        "create",
        "http://testserver/accounts/sso/aberdeen-city/callback/",
        CLIENT_ID,
        CLIENT_SECRET,
        *people,
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "django", "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=environment,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{base}/o/.well-known/openid-configuration", timeout=2).ok:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("the test identity provider did not start")
            time.sleep(0.2)
        yield Provider(base=base, issuer=f"{base}/o", environment=environment)
    finally:
        server.terminate()
        server.wait(timeout=10)
