"""The repository's own docs hold what a developer needs: nothing points outside it."""

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
CODE = ["pace_hub", "measures", "aims", "pdsa", "governance", "sso", "api", "templates", "bench", "docs"]


def _sources() -> list[Path]:
    return [ROOT / "README.md", ROOT / "Makefile"] + [
        path
        for folder in CODE
        for path in (ROOT / folder).rglob("*")
        if path.suffix in {".py", ".md", ".html", ".txt"} and "migrations" not in path.parts
    ]


def test_links_from_the_readme_and_docs_resolve_inside_the_repository() -> None:
    for doc in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")]:
        for target in re.findall(r"\]\(([^)#]+)\)", doc.read_text()):
            if target.startswith("http"):
                continue
            assert (doc.parent / target).resolve().is_file(), f"{doc.name} links to {target}, which is missing"
        assert "../shared" not in doc.read_text() and "/work/" not in doc.read_text()


def test_every_design_section_the_code_cites_is_in_docs_design() -> None:
    design = (ROOT / "docs" / "DESIGN.md").read_text()
    headings = set(re.findall(r"^#{2,3} (\d+[a-d]?)\.", design, re.MULTILINE))
    cited = {}
    for path in _sources():
        for section in re.findall(r"DESIGN(?:\.md)? §(\d+[a-d]?)", path.read_text(errors="ignore")):
            cited.setdefault(section, path.relative_to(ROOT))
    assert cited, "the code cites DESIGN.md sections"
    missing = {section: str(path) for section, path in cited.items() if section not in headings}
    assert missing == {}
