"""Rankings as an Excel workbook: one sheet per kind, headers in the reader's
language (Chinese by default)."""
from __future__ import annotations

import io

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font

from . import core

KIND_TITLES = {
    "district": gettext_lazy("Districts"),
    "subdistrict": gettext_lazy("Subdistricts"),
    "department": gettext_lazy("Departments"),
    "enterprise": gettext_lazy("Enterprises"),
}
PERCENT, DECIMAL = "0.00%", "0.00"
# (row key, header, number format) in sheet order.
COLUMNS = (
    ("rank", gettext_lazy("Rank"), None),
    ("name", gettext_lazy("Unit"), None),
    ("code", gettext_lazy("Code"), None),
    ("score", gettext_lazy("Score"), DECIMAL),
    ("rank_change", gettext_lazy("Rank change"), None),
    ("score_change", gettext_lazy("Score change"), DECIMAL),
    ("response_rate", gettext_lazy("Response rate"), PERCENT),
    ("resolution_rate", gettext_lazy("Resolution rate"), PERCENT),
    ("satisfaction_rate", gettext_lazy("Satisfaction rate"), PERCENT),
    ("punctuality_rate", gettext_lazy("Summons punctuality"), PERCENT),
    ("received", gettext_lazy("Tickets received"), None),
    ("per_10k", gettext_lazy("Tickets per 10,000 residents"), DECIMAL),
    ("dispatched", gettext_lazy("Tickets dispatched"), None),
    ("on_time", gettext_lazy("Signed for on time"), None),
    ("called_back", gettext_lazy("Tickets called back"), None),
    ("resolved", gettext_lazy("Resolved, says the resident"), None),
    ("satisfied", gettext_lazy("Satisfied"), None),
    ("basically_satisfied", gettext_lazy("Basically satisfied"), None),
    ("overdue", gettext_lazy("Tickets overdue"), None),
    ("summoned", gettext_lazy("Summoned"), None),
    ("reported_on_time", gettext_lazy("Reported on time"), None),
    ("bottom", gettext_lazy("In the bottom group"), None),
    ("bottom_months", gettext_lazy("Months in the bottom group"), None),
    ("governance", gettext_lazy("On the governance list"), None),
)


def rankings_workbook(month: int, sheets: dict[str, list[dict]]) -> bytes:
    """The .xlsx file of `sheets` ({kind: ranking rows}) for `month`."""
    book = Workbook()
    book.remove(book.active)
    for kind, rows in sheets.items():
        sheet = book.create_sheet(f"{KIND_TITLES[kind]} {core.month_label(month)}")
        sheet.append([str(header) for _key, header, _format in COLUMNS])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([_cell(row[key]) for key, _header, _format in COLUMNS])
        for index, (_key, _header, number_format) in enumerate(COLUMNS, start=1):
            if number_format:
                for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                    cell.number_format = number_format
        sheet.freeze_panes = "C2"
        sheet.column_dimensions["B"].width = 28
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _cell(value):
    if isinstance(value, bool):
        return _("Yes") if value else ""
    return value


def filename(month: int) -> str:
    return f"rankings-{core.month_label(month)}.xlsx"
