"""One PDF maker for the whole app, and it fetches nothing it should not."""

from pathlib import Path

import pytest

from pace_hub.pdf import _fetcher, render_pdf

PIXEL = (
    "data:image/png;base64,"
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def test_render_pdf_makes_a_pdf_with_inline_images():
    pdf = render_pdf(f'<h1>Report</h1><img src="{PIXEL}" alt="">')
    assert pdf.startswith(b"%PDF")


@pytest.mark.parametrize("allow_media", [False, True])
def test_network_is_never_fetched(allow_media):
    with pytest.raises(ValueError, match="Not fetched"):
        _fetcher(allow_media).fetch("http://169.254.169.254/latest/meta-data/")


def test_files_are_read_only_from_media_and_only_when_allowed(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    inside = settings.MEDIA_ROOT / "flowchart.svg"
    inside.write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    outside = tmp_path / "secret.txt"
    outside.write_text("not for a PDF")

    with pytest.raises(ValueError):
        _fetcher(False).fetch(inside.resolve().as_uri())
    with pytest.raises(ValueError):
        _fetcher(True).fetch(outside.resolve().as_uri())
    with pytest.raises(ValueError):
        _fetcher(True).fetch((settings.MEDIA_ROOT / ".." / "secret.txt").as_uri())
    fetched = _fetcher(True).fetch(inside.resolve().as_uri())
    try:
        assert b"svg" in fetched.read()
    finally:
        fetched.close()


def test_a_linked_image_outside_the_document_is_left_out():
    """WeasyPrint logs the refused fetch and renders the rest."""
    pdf = render_pdf('<p>Text</p><img src="http://127.0.0.1:9/pixel.png" alt="tracker">')
    assert pdf.startswith(b"%PDF")


def test_every_pdf_in_the_app_goes_through_the_one_maker():
    root = Path(__file__).resolve().parents[2]
    offenders = [
        str(path.relative_to(root))
        for app in ("pace_hub", "aims", "pdsa", "measures", "governance", "api", "sso")
        for path in (root / app).rglob("*.py")
        if "write_pdf" in path.read_text() and path.name != "pdf.py"
    ]
    assert offenders == []
