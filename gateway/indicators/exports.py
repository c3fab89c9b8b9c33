"""The indicator table as CSV and as XLSX laid out like the tables officials circulate:
a title row, Chinese column titles, the total row last."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import xlsxwriter

from gateway.indicators.catalogue import CATALOGUE
from gateway.indicators.table import Row, Table

HEADINGS = ["排名", "区划代码", "区划名称", *[f"{i.name_zh}（{i.unit}）" for i in CATALOGUE]]


def _cells(row: Row, rank: str) -> list[str]:
    return [rank, row.area_code, row.name, *[_text(row.values.get(i.key)) for i in CATALOGUE]]


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


def to_xlsx(table: Table, title: str) -> bytes:
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
        len(HEADINGS) - 1,
        title,
        book.add_format({"bold": True, "font_size": 14, "align": "center"}),
    )
    sheet.write_row(1, 0, HEADINGS, bold)
    rows = [(row, "" if row.rank is None else str(row.rank)) for row in table.rows] + [
        (table.total, "合计")
    ]
    for line, (row, rank) in enumerate(rows, start=2):
        sheet.write_string(line, 0, rank, cell)
        sheet.write_string(line, 1, row.area_code, cell)
        sheet.write_string(line, 2, row.name, cell)
        for column, indicator in enumerate(CATALOGUE, start=3):
            value = row.values.get(indicator.key)
            if value is None:
                sheet.write_blank(line, column, None, cell)
            else:
                sheet.write_number(line, column, float(value), number)
    sheet.set_column(0, 0, 6)
    sheet.set_column(1, 2, 16)
    sheet.set_column(3, len(HEADINGS) - 1, 12)
    sheet.freeze_panes(2, 3)
    book.close()
    return out.getvalue()
