"""The product's date formats (settings.FORMAT_MODULE_PATH), one for dates and one for times:
"1 Dec 2026" and "1 Dec 2026, 19:08", short forms included, so that every `{{ date }}`,
`|date` and `|date:"DATETIME_FORMAT"` reads the same. Input formats stay Django's en-GB ones
(day first, never month first)."""
