"""The address of the person signing in, for django-axes' login lockout.

Behind a TLS proxy every request comes from the proxy's address, so a lockout keyed on it would
let anyone lock anyone out. When the connecting address is one of the ``TRUSTED_PROXIES``
(addresses or networks, from the environment), the client is the right-most address of
X-Forwarded-For that is not itself a trusted proxy: each proxy appends the address it was
connected from, so entries to the left of that one are whatever the client chose to send and are
never believed. Without trusted proxies the connecting address is used and X-Forwarded-For is
ignored, so the header cannot be forged to dodge the lockout.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(proxy.strip(), strict=False) for proxy in proxies if proxy.strip())


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip().strip('"')
    if text.startswith("[") and "]" in text:  # [2001:db8::1]:443
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # 203.0.113.7:51234
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str:
    """The client's address as django-axes should see it (``AXES_CLIENT_IP_CALLABLE``)."""
    remote = request.META.get("REMOTE_ADDR", "")
    trusted = _networks(tuple(settings.TRUSTED_PROXIES))
    connected = _address(remote)
    if connected is None or not any(connected in network for network in trusted):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for entry in reversed(forwarded.split(",")):
        address = _address(entry)
        if address is None:
            return remote  # a malformed chain: believe nothing the proxies did not set
        if not any(address in network for network in trusted):
            return str(address)
    return remote
