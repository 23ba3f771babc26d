"""Counts in words, grammatical whatever the number: "1 child", "2 children", "<5 children"."""

# Nouns whose plural is not the singular plus "s".
IRREGULAR = {"child": "children", "person": "people", "is": "are", "was": "were", "has": "have"}


def count_text(count: int | float | str, singular: str, plural: str | None = None) -> str:
    """The count and the noun agreeing with it; a suppressed count ("<5") takes the plural."""
    return f"{count} {noun(count, singular, plural)}"


def noun(count: int | float | str, singular: str, plural: str | None = None) -> str:
    if plural is None:
        plural = IRREGULAR.get(singular, f"{singular}s")
    return singular if str(count) == "1" else plural
