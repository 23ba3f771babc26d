from django.contrib import admin

from measures.models import (
    Annotation,
    BenchmarkAggregate,
    BenchmarkSharing,
    Child,
    CompletenessProblem,
    DataPoint,
    ImportChange,
    Measure,
    Milestone,
    MilestoneImport,
    PathwaySummary,
    Phase,
    Timescale,
    WaitingRow,
)
from pace_hub.admin import TenantAdmin


@admin.register(Measure)
class MeasureAdmin(TenantAdmin):
    list_display = ["title", "organisation", "kind", "chart", "source"]
    list_filter = ["organisation", "kind", "chart", "source"]
    search_fields = ["title"]


@admin.register(DataPoint)
class DataPointAdmin(TenantAdmin):
    list_display = ["measure", "period", "value", "numerator", "denominator"]
    list_select_related = ["measure"]


@admin.register(Annotation, Phase)
class MeasureNoteAdmin(TenantAdmin):
    list_select_related = ["measure"]


@admin.register(Milestone)
class MilestoneAdmin(TenantAdmin):
    list_display = ["name", "code", "organisation", "order", "active"]
    readonly_fields = ["created_at", "updated_at"]

    def get_readonly_fields(self, request, obj=None):
        # A milestone's code keys every child's dates (Child.dates): it never changes once made.
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "code"] if obj is not None and obj.pk else fields


@admin.register(Timescale)
class TimescaleAdmin(TenantAdmin):
    list_display = ["__str__", "organisation", "target_days", "active"]


@admin.register(Child)
class ChildAdmin(admin.ModelAdmin):
    list_display = ["reference", "organisation", "route"]
    list_filter = ["organisation", "route"]
    search_fields = ["reference"]
    # The dates are written by imports (and rolled back through them): shown, not edited here.
    readonly_fields = ["code", "dates", "created_at", "updated_at"]


@admin.register(MilestoneImport)
class MilestoneImportAdmin(TenantAdmin):
    list_display = ["original_name", "organisation", "status", "rows", "created_at"]
    list_filter = ["organisation", "status"]


@admin.register(ImportChange)
class ImportChangeAdmin(admin.ModelAdmin):
    list_display = ["milestone_import", "child", "old_route", "new_route"]
    list_filter = ["organisation"]
    list_select_related = ["milestone_import", "child"]
    readonly_fields = ["code", "old_dates", "new_dates", "created_at", "updated_at"]


@admin.register(PathwaySummary)
class PathwaySummaryAdmin(admin.ModelAdmin):
    list_display = ["organisation", "completeness_issues", "as_of", "computed_at"]
    readonly_fields = ["code", "created_at", "updated_at"]


@admin.register(BenchmarkSharing)
class BenchmarkSharingAdmin(TenantAdmin):
    list_display = ["organisation", "sharing", "named", "published_at"]


@admin.register(BenchmarkAggregate)
class BenchmarkAggregateAdmin(admin.ModelAdmin):
    """The national table, for the platform's operators: read-only, as the publish task owns it."""

    list_display = ["organisation", "from_code", "to_code", "period_label", "children", "within_target", "withheld"]
    list_filter = ["organisation"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class KeptRowsAdmin(admin.ModelAdmin):
    """Rows the summary refresh writes and replaces (derived from the children's dates): read-only."""

    list_filter = ["organisation"]
    list_select_related = ["organisation"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CompletenessProblem)
class CompletenessProblemAdmin(KeptRowsAdmin):
    list_display = ["organisation", "position", "reference", "kind"]


@admin.register(WaitingRow)
class WaitingRowAdmin(KeptRowsAdmin):
    list_display = ["organisation", "timescale", "position", "reference", "route", "since"]
    list_select_related = ["organisation", "timescale"]
