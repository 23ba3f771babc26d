"""Sharing learning across Scotland: published snapshots that every organisation can read.

A published item copies the text it shows at the moment of publishing, so later edits or
deletions in the origin never leak into the library, and it never carries child data.
"""

from django.conf import settings
from django.db import models

from pace_hub.models import TenantModel, TenantQuerySet


class PublishedItemQuerySet(TenantQuerySet):
    def search(self, query: str) -> "PublishedItemQuerySet":
        # PostgreSQL text cannot hold a NUL character: a query containing one would fail there.
        query = query.replace("\x00", "")
        if not query.strip():
            return self
        found = models.Q()
        for word in query.split()[:8]:
            found &= (
                models.Q(title__icontains=word)
                | models.Q(summary__icontains=word)
                | models.Q(body__icontains=word)
                | models.Q(organisation_name__icontains=word)
            )
        return self.filter(found)


class PublishedItem(TenantModel):
    """``organisation`` is the publisher; the library shows items of every organisation."""

    class Kind(models.TextChoices):
        CHANGE_PACKAGE = "change_package", "Change package"
        CYCLE_SUMMARY = "cycle_summary", "PDSA cycle summary"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    title = models.CharField(max_length=200)
    summary = models.TextField()
    body = models.TextField()
    organisation_name = models.CharField(max_length=200)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    published_by_name = models.CharField(max_length=200)
    published_at = models.DateTimeField()
    # Codes of what was published (not keys: the origin may change or go away).
    source_idea_code = models.UUIDField()
    source_code = models.UUIDField(help_text="The cycle or implementation published.")

    objects = PublishedItemQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at"]
        indexes = [
            # "Is this already published?" on the idea's and cycle's pages.
            models.Index(fields=["organisation", "source_code"], name="publisheditem_source"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.organisation_name})"

    @property
    def kind_in_sentence(self) -> str:
        """The kind as it reads mid-sentence: "change package", but "PDSA cycle summary"."""
        label = self.get_kind_display()
        return label if label[:2].isupper() else label[0].lower() + label[1:]
