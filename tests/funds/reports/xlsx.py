"""Reading back a generated workbook's first sheet with the standard library (the suite has
no spreadsheet reader): each row as a list of strings and numbers."""

from __future__ import annotations

import io
import re
import zipfile
from xml.etree import ElementTree

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def sheet_rows(content: bytes) -> list[list[str | float | None]]:
    with zipfile.ZipFile(io.BytesIO(content)) as book:
        shared = [
            "".join(node.itertext())
            for node in ElementTree.fromstring(book.read("xl/sharedStrings.xml")).findall(
                "m:si", NS
            )
        ]
        sheet = ElementTree.fromstring(book.read("xl/worksheets/sheet1.xml"))
    rows: list[list[str | float | None]] = []
    for row in sheet.findall("m:sheetData/m:row", NS):
        cells: list[str | float | None] = []
        for cell in row.findall("m:c", NS):
            column = _column(cell.attrib["r"])
            cells.extend([None] * (column - len(cells)))
            value = cell.find("m:v", NS)
            if value is None or value.text is None:
                cells.append(None)
            elif cell.attrib.get("t") == "s":
                cells.append(shared[int(value.text)])
            else:
                cells.append(float(value.text))
        rows.append(cells)
    return rows


def _column(reference: str) -> int:
    letters = re.match(r"[A-Z]+", reference)
    assert letters is not None
    number = 0
    for letter in letters.group(0):
        number = number * 26 + ord(letter) - ord("A") + 1
    return number - 1
