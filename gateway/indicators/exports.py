"""The indicator table as CSV and as XLSX laid out like the tables officials circulate:
a title row, Chinese column titles, the total row last; and one area's monthly series (按月),
one line per month."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import xlsxwriter

from gateway.indicators.catalogue import CATALOGUE
from gateway.indicators.table import Row, Table

TITLES = [f"{i.name_zh}（{i.unit}）" for i in CATALOGUE]
HEADINGS = ["排名", "区划代码", "区划名称", *TITLES]
SERIES_HEADINGS = ["月份", "截至日期", *TITLES]


def _cells(row: Row, rank: str) -> list[str]:
    return [rank, row.area_code, row.name, *_indicator_cells(row)]


def _text(value: Decimal | None) -> str:
    return "" if value is None else str(value)


def to_csv(table: Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADINGS)
    for row in table.rows:
        writer.writerow(_cells(row, "" if row.rank is None else str(row.rank)))
    writer.writerow(_cells(table.total, "合计"))
    return "\ufeff" + out.getvalue()  # with a BOM, so that Excel opens the Chinese text right


def series_to_csv(rows: list[Row], as_of: dict[str, str]) -> str:
    """One line per month: the month, the day its figures are for, the indicators."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(SERIES_HEADINGS)
    for row in rows:
        writer.writerow([row.area_code, as_of[row.area_code], *_indicator_cells(row)])
    return "\ufeff" + out.getvalue()


def _indicator_cells(row: Row) -> list[str]:
    return [_text(row.values.get(i.key)) for i in CATALOGUE]


def to_xlsx(table: Table, title: str) -> bytes:
    rows = [(row, "" if row.rank is None else str(row.rank)) for row in table.rows] + [
        (table.total, "合计")
    ]
    lines = [([rank, row.area_code, row.name], row) for row, rank in rows]
    return _workbook(title, HEADINGS, lines, widths=[6, 16, 16])


def series_to_xlsx(rows: list[Row], as_of: dict[str, str], title: str) -> bytes:
    lines = [([row.area_code, as_of[row.area_code]], row) for row in rows]
    return _workbook(title, SERIES_HEADINGS, lines, widths=[10, 12])


def _workbook(
    title: str, headings: list[str], lines: list[tuple[list[str], Row]], widths: list[int]
) -> bytes:
    """A title row, the headings, then per line its leading text cells and the indicators."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("指标")
    bold = book.add_format(
        {"bold": True, "align": "center", "valign": "vcenter", "border": 1, "text_wrap": True}
    )
    cell = book.add_format({"border": 1})
    number = book.add_format({"border": 1, "num_format": "#,##0.00"})
    sheet.merge_range(
        0,
        0,
        0,
        len(headings) - 1,
        title,
        book.add_format({"bold": True, "font_size": 14, "align": "center"}),
    )
    sheet.write_row(1, 0, headings, bold)
    first = len(widths)
    for line, (leading, row) in enumerate(lines, start=2):
        for column, text in enumerate(leading):
            sheet.write_string(line, column, text, cell)
        for column, indicator in enumerate(CATALOGUE, start=first):
            value = row.values.get(indicator.key)
            if value is None:
                sheet.write_blank(line, column, None, cell)
            else:
                sheet.write_number(line, column, float(value), number)
    for column, width in enumerate(widths):
        sheet.set_column(column, column, width)
    sheet.set_column(first, len(headings) - 1, 12)
    sheet.freeze_panes(2, first)
    book.close()
    return out.getvalue()
