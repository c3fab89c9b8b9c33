"""The progress report as the tables officials keep: CSV (UTF-8 with BOM, so spreadsheet
programs read the Chinese) and XLSX, each with a title row, Chinese column titles and the total
row last."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from decimal import Decimal

import xlsxwriter

from services.funds.reports.schemas import ProgressReport, ProgressRow
from services.funds.rules.cards import Card

CARD_LABELS = {Card.NONE: "无", Card.YELLOW: "黄牌", Card.RED: "红牌"}
Cell = str | Decimal | None


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("是" if value else "否")


# (title, cell of a row, is it money?) in column order.
COLUMNS: list[tuple[str, Callable[[ProgressRow], Cell], str]] = [
    ("区划代码", lambda r: r.county_code or "合计", "text"),
    ("下达资金合计(元)", lambda r: r.allocated, "money"),
    ("中央(元)", lambda r: r.allocated_central, "money"),
    ("省级(元)", lambda r: r.allocated_provincial, "money"),
    ("市级(元)", lambda r: r.allocated_municipal, "money"),
    ("县级(元)", lambda r: r.allocated_county, "money"),
    ("已对接(元)", lambda r: r.linked, "money"),
    ("其中产业项目(元)", lambda r: r.linked_industry, "money"),
    ("已支付(元)", lambda r: r.paid, "money"),
    ("支出进度(%)", lambda r: r.standing.spending_progress, "percent"),
    ("产业项目资金占比(%)", lambda r: r.standing.industry_share, "percent"),
    ("产业占比达标", lambda r: _yes_no(r.standing.industry_share_met), "text"),
    (
        "进度节点",
        lambda r: r.standing.milestone.by.isoformat() if r.standing.milestone else None,
        "text",
    ),
    ("应达进度(%)", lambda r: r.standing.required_progress, "percent"),
    ("差距(百分点)", lambda r: r.standing.shortfall, "percent"),
    ("亮牌", lambda r: CARD_LABELS[r.standing.card] if r.standing.card else None, "text"),
]


def title_of(report: ProgressReport) -> str:
    return f"{report.title}（{report.area}，截至{report.as_of.isoformat()}）"


def _lines(report: ProgressReport) -> list[ProgressRow]:
    return [*report.rows, report.total]


def to_csv(report: ProgressReport) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([title_of(report)])
    writer.writerow([title for title, _, _ in COLUMNS])
    for row in _lines(report):
        writer.writerow([_text(cell(row), kind) for _, cell, kind in COLUMNS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _text(value: Cell, kind: str) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return value


def to_xlsx(report: ProgressReport) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet("支出进度")
    bold = {"bold": True, "border": 1}
    formats = {
        "title": workbook.add_format({"bold": True, "font_size": 14, "align": "center"}),
        "header": workbook.add_format({**bold, "align": "center", "text_wrap": True}),
        "text": workbook.add_format({"border": 1}),
        "money": workbook.add_format({"border": 1, "num_format": "#,##0.00"}),
        "percent": workbook.add_format({"border": 1, "num_format": "0.00"}),
        "total_text": workbook.add_format(bold),
        "total_money": workbook.add_format({**bold, "num_format": "#,##0.00"}),
        "total_percent": workbook.add_format({**bold, "num_format": "0.00"}),
    }
    sheet.merge_range(0, 0, 0, len(COLUMNS) - 1, title_of(report), formats["title"])
    for column, (title, _, kind) in enumerate(COLUMNS):
        sheet.write_string(1, column, title, formats["header"])
        sheet.set_column(column, column, 16 if kind == "money" else 12)
    lines = _lines(report)
    for offset, row in enumerate(lines):
        total = offset == len(lines) - 1
        for column, (_, cell, kind) in enumerate(COLUMNS):
            style = formats[f"total_{kind}" if total else kind]
            value = cell(row)
            if isinstance(value, Decimal):
                # Exact to the fen: amounts of a report stay far below 2**53 fen.
                sheet.write_number(offset + 2, column, float(value), style)
            elif value is None:
                sheet.write_blank(offset + 2, column, None, style)
            else:
                sheet.write_string(offset + 2, column, value, style)
    sheet.freeze_panes(2, 1)
    workbook.close()
    return buffer.getvalue()
