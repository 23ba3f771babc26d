"""Template filters for measure values."""

from django import template

from measures.charts import format_number

register = template.Library()


@register.filter
def measure_number(value: float | None, unit: str = "") -> str:
    """A value with its unit: "12 days", "55%", "—" when missing."""
    return format_number(value, unit)


@register.filter
def get_item(mapping: dict, key: str) -> object:
    return mapping.get(key) if isinstance(mapping, dict) else None
