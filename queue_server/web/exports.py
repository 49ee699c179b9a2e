"""A report table as CSV or as a one-sheet XLSX workbook (written here: no dependency).

The XLSX is the smallest package spreadsheet programs accept (ECMA-376 SpreadsheetML):
content types, the package and workbook relationships, the workbook and one sheet whose
text cells are inline strings, so no shared-strings part is needed. Numbers stay numbers.

Text that a spreadsheet would read as a formula (``=``, ``+``, ``-``, ``@`` first) gets a
leading apostrophe in the CSV, so an exported name can never run as a formula.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Any fixed time: a workbook's bytes then depend on its content only.
ZIP_TIME = (2026, 1, 1, 0, 0, 0)
SHEET_NAME_MAX = 31

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" \
ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
</Types>"""
PACKAGE_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Target="xl/workbook.xml" \
Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>
</Relationships>"""
WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Target="worksheets/sheet1.xml" \
Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>
</Relationships>"""
WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" \
xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets>
</workbook>"""
SHEET_START = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"""
SHEET_END = "</sheetData></worksheet>"


def to_csv(columns: Sequence[str], rows: Sequence[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_csv_text(column) for column in columns])
    for row in rows:
        writer.writerow([_csv_value(row.get(column)) for column in columns])
    return buffer.getvalue()


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    return _csv_text(value) if isinstance(value, str) else value


def _csv_text(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def to_xlsx(sheet_name: str, columns: Sequence[str], rows: Sequence[dict[str, Any]]) -> bytes:
    """The table as an XLSX workbook: a header row, then one row per table row."""
    lines = [SHEET_START, _row(1, list(columns))]
    for number, row in enumerate(rows, start=2):
        lines.append(_row(number, [row.get(column) for column in columns]))
    lines.append(SHEET_END)
    parts = {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": PACKAGE_RELS,
        "xl/workbook.xml": WORKBOOK.format(name=_sheet_name(sheet_name)),
        "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
        "xl/worksheets/sheet1.xml": "".join(lines),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for name, content in parts.items():
            package.writestr(zipfile.ZipInfo(name, ZIP_TIME), content.encode("utf-8"))
    return buffer.getvalue()


def column_letters(index: int) -> str:
    """``0`` -> ``A``, ``25`` -> ``Z``, ``26`` -> ``AA``."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _row(number: int, values: Sequence[Any]) -> str:
    cells = "".join(
        _cell(f"{column_letters(index)}{number}", value)
        for index, value in enumerate(values)
        if value is not None
    )
    return f'<row r="{number}">{cells}</row>'


def _cell(reference: str, value: Any) -> str:
    if isinstance(value, bool):
        return f'<c r="{reference}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{reference}"><v>{value!r}</v></c>'
    text = escape(_xml_safe(str(value)))
    return f'<c r="{reference}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def _xml_safe(text: str) -> str:
    """Drop the characters XML 1.0 cannot carry (control characters but tab and newlines)."""
    return "".join(char for char in text if char in "\t\n\r" or ord(char) >= 32)


def _sheet_name(name: str) -> str:
    cleaned = "".join(char for char in name if char not in "[]:*?/\\'")
    return escape(cleaned[:SHEET_NAME_MAX] or "Sheet1", {'"': "&quot;"})
