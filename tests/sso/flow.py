"""Driving a sign-in through the loopback provider without a browser: PACE Hub through Django's
test client, the provider over HTTP with requests (as a browser would follow the redirects)."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlparse

import requests
from django.test import Client

from tests.sso.provider import PASSWORD, Provider


def sign_in_through_provider(client: Client, provider: Provider, org_slug: str, username: str):
    """Start at PACE Hub, sign in at the provider as ``username``, and return PACE Hub's answer
    to the provider's redirect back (the callback)."""
    start = client.get(f"/accounts/sso/{org_slug}/login/")
    assert start.status_code == 302, start.content
    authorize = start["Location"]
    assert authorize.startswith(provider.base)
    browser = requests.Session()
    answer = browser.get(authorize, allow_redirects=False, timeout=10)
    login_url = urljoin(authorize, answer.headers["Location"])  # the provider's own sign-in page
    page = browser.get(login_url, timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    next_url = re.search(r'name="next" value="([^"]*)"', page.text).group(1).replace("&amp;", "&")
    answer = browser.post(
        login_url,
        data={"username": username, "password": PASSWORD, "next": next_url, "csrfmiddlewaretoken": token},
        headers={"Referer": login_url},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302, answer.text[:500]
    answer = browser.get(urljoin(login_url, answer.headers["Location"]), allow_redirects=False, timeout=10)
    callback = urlparse(answer.headers["Location"])
    assert callback.path == f"/accounts/sso/{org_slug}/callback/", answer.headers["Location"]
    return client.get(f"{callback.path}?{callback.query}")
