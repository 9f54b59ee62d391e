"""Every dashboard table as CSV."""

import csv

from django.http import HttpResponse


def _cell(value) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        return str(value)
    # A leading =, +, - or @ makes spreadsheets run the text as a formula: student answers are untrusted.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def csv_response(filename: str, header: list[str], rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return response


def share(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"
