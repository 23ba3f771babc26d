"""Reading and checking permanence-milestone spreadsheet uploads (no database, no Django).

``validate_milestone_file`` is the entry point; ``templates`` makes the files to download and
``annotate`` returns an upload with its problems written next to each row.
"""

from .annotate import annotated_workbook
from .reading import FileRefused
from .templates import wide_template_csv, wide_template_xlsx
from .validation import (
    DEFAULT_MILESTONES,
    DEFAULT_ROUTES,
    MilestoneSpec,
    ParsedMilestoneFile,
    Problem,
    validate_milestone_file,
)

__all__ = [
    "DEFAULT_MILESTONES",
    "DEFAULT_ROUTES",
    "FileRefused",
    "MilestoneSpec",
    "ParsedMilestoneFile",
    "Problem",
    "annotated_workbook",
    "validate_milestone_file",
    "wide_template_csv",
    "wide_template_xlsx",
]
