"""Every PDF the app makes goes through here, so none of them can reach the network.

WeasyPrint would otherwise fetch any URL a document names (a tracking pixel pasted into a
narrative, a link to an internal service). Documents carry their images inline as ``data:`` URIs;
the one exception is an uploaded flowchart, read from the media folder and nowhere else.
"""

from pathlib import Path
from urllib.parse import unquote, urlparse

from django.conf import settings


def _inside(url: str, folder: Path) -> bool:
    """Whether a ``file:`` URL names a file inside ``folder`` once ``..`` and links are resolved."""
    parsed = urlparse(url)
    if parsed.scheme != "file" or parsed.netloc not in ("", "localhost"):
        return False
    return Path(unquote(parsed.path)).resolve().is_relative_to(folder)


def _fetcher(allow_media: bool):
    from weasyprint.urls import URLFetcher

    media = Path(settings.MEDIA_ROOT).resolve()

    class Offline(URLFetcher):
        def fetch(self, url: str, headers: dict | None = None):
            if url.startswith("data:") or (allow_media and _inside(url, media)):
                return super().fetch(url, headers)
            raise ValueError(f"Not fetched while making a PDF: {url}")

    return Offline(allowed_protocols={"data", "file"} if allow_media else {"data"})


def render_pdf(html: str, *, allow_media: bool = False) -> bytes:
    """The PDF of a self-contained HTML document; with ``allow_media`` it may also read
    uploaded files (``file:`` URIs under MEDIA_ROOT)."""
    from weasyprint import HTML

    return HTML(string=html, url_fetcher=_fetcher(allow_media)).write_pdf()
