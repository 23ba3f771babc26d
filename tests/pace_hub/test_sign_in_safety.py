"""Sign-in safety: the login lockout behind a trusted TLS proxy keys on the real client address,
and sessions end after a spell without activity."""

import time_machine
from django.test import Client, RequestFactory

from pace_hub.client_ip import client_ip
from pace_hub.roles import Role

PROXY = "10.0.0.2"
PASSWORD = "correct-horse-battery"


def _sign_in(client: Client, email: str, password: str, forwarded_for: str | None = None):
    extra = {"REMOTE_ADDR": PROXY}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client.post("/accounts/login/", {"username": email, "password": password}, **extra)


def test_behind_a_trusted_proxy_an_attacker_cannot_lock_someone_else_out(cast, settings) -> None:
    settings.TRUSTED_PROXIES = [PROXY]
    victim = cast.members[Role.MEMBER].user
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        _sign_in(Client(), victim.email, "wrong", forwarded_for="198.51.100.66")
    # The attacker's own address is locked out, even with the right password ...
    assert _sign_in(Client(), victim.email, PASSWORD, forwarded_for="198.51.100.66").status_code == 429
    # ... and it cannot dodge the lockout by sending an X-Forwarded-For of its choosing: the proxy
    # appends the real address, which is the one believed.
    assert _sign_in(Client(), victim.email, PASSWORD, forwarded_for="203.0.113.1, 198.51.100.66").status_code == 429
    # The person themselves, through the same proxy from another address, signs in.
    assert _sign_in(Client(), victim.email, PASSWORD, forwarded_for="203.0.113.7").status_code == 302


def test_without_trusted_proxies_the_forwarded_header_is_not_believed(cast, settings) -> None:
    settings.TRUSTED_PROXIES = []
    victim = cast.members[Role.MEMBER].user
    for number in range(settings.AXES_FAILURE_LIMIT + 1):
        _sign_in(Client(), victim.email, "wrong", forwarded_for=f"198.51.100.{number}")
    assert _sign_in(Client(), victim.email, PASSWORD, forwarded_for="203.0.113.7").status_code == 429


def test_the_client_address_is_the_last_untrusted_hop() -> None:
    factory = RequestFactory()

    def address(remote: str, forwarded: str | None, trusted: list[str]) -> str:
        from django.conf import settings

        settings.TRUSTED_PROXIES = trusted
        extra = {"REMOTE_ADDR": remote} | ({"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {})
        return client_ip(factory.get("/", **extra))

    assert address("10.0.0.2", "203.0.113.7", []) == "10.0.0.2"
    assert address("10.0.0.2", "203.0.113.7", ["10.0.0.0/8"]) == "203.0.113.7"
    assert address("10.0.0.2", "1.2.3.4, 203.0.113.7, 10.0.0.9", ["10.0.0.0/8"]) == "203.0.113.7"
    assert address("10.0.0.2", "[2001:db8::5]:4431", ["10.0.0.0/8"]) == "2001:db8::5"
    assert address("10.0.0.2", "not-an-address", ["10.0.0.0/8"]) == "10.0.0.2"
    assert address("198.51.100.1", "203.0.113.7", ["10.0.0.0/8"]) == "198.51.100.1"  # not from the proxy
    assert address("10.0.0.2", None, ["10.0.0.0/8"]) == "10.0.0.2"


def test_a_session_ends_after_the_idle_timeout(cast, settings) -> None:
    settings.SESSION_IDLE_TIMEOUT = 8 * 60 * 60
    home = f"/o/{cast.org.slug}/"
    with time_machine.travel("2026-03-02 09:00", tick=False) as traveller:
        client = Client()
        client.post("/accounts/login/", {"username": cast.members[Role.MEMBER].user.email, "password": PASSWORD})
        assert client.get(home).status_code == 200
        traveller.shift(7 * 60 * 60)  # 7 hours later: still signed in, and the clock restarts
        assert client.get(home).status_code == 200
        traveller.shift(7 * 60 * 60)
        assert client.get(home).status_code == 200
        traveller.shift(8 * 60 * 60 + 60)  # more than 8 hours without a request
        response = client.get(home)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
        page = client.get(response["Location"]).content.decode()
        assert "signed out after 8 hours without activity" in page
        assert client.get(home).status_code == 302  # the session is gone, not just this request


def test_an_idle_htmx_request_sends_the_whole_page_to_sign_in(cast, settings) -> None:
    with time_machine.travel("2026-03-02 09:00", tick=False) as traveller:
        client = cast.client(Role.MEMBER)
        assert client.get(f"/o/{cast.org.slug}/").status_code == 200
        traveller.shift(settings.SESSION_IDLE_TIMEOUT + 1)
        response = client.get(f"/o/{cast.org.slug}/", HTTP_HX_REQUEST="true")
        assert response["HX-Redirect"].startswith("/accounts/login/")


def test_the_idle_timeout_is_eight_hours_and_the_cookie_outlives_it_to_explain(settings) -> None:
    assert settings.SESSION_IDLE_TIMEOUT == 8 * 60 * 60
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_IDLE_TIMEOUT + 24 * 60 * 60
