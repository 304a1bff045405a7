"""Small but real passport files: a PDF 1.4 document and an XLSX workbook, written by code.

Clients download a passport and may open it (a viewer, a spreadsheet library), so the bytes must be
a valid file, not a placeholder. Both are deterministic: the same building gives the same bytes.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from xml.sax.saxutils import escape as _escape

PDF_MEDIA = "application/pdf"
XLSX_MEDIA = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_ZIP_TIME = (2024, 1, 1, 0, 0, 0)
_XML_INVALID = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def escape(text: str) -> str:
    """XML text: escaped, and without the characters XML 1.0 cannot carry at all."""
    return _escape(_XML_INVALID.sub("?", text))


def passport_lines(building: dict[str, object], passport_type: str | None = None) -> list[tuple[str, str]]:
    """The label/value rows both formats show."""
    address = " ".join(
        str(building.get(k) or "")
        for k in ("addressStreet", "addressHousenumber", "addressZipcode", "addressCity")
        if building.get(k)
    )
    rows = [
        ("Building", str(building.get("name") or "(unnamed building)")),
        ("Building id", str(building.get("id") or "")),
        ("Address", address or "-"),
        ("Passport", passport_type or "Full"),
    ]
    if building.get("grossSurfaceArea") is not None:
        rows.append(("Gross surface area (m2)", str(building.get("grossSurfaceArea"))))
    return rows


def pdf_bytes(title: str, rows: Sequence[tuple[str, str]]) -> bytes:
    """A one-page PDF 1.4 (Helvetica, WinAnsi text) with a correct cross-reference table."""
    lines = [("F2", 18, title)] + [("F1", 11, f"{label}: {value}") for label, value in rows]
    text = ["BT", "50 790 Td"]
    for index, (font, size, line) in enumerate(lines):
        if index:
            text.append(f"0 -{size + 10} Td")
        text.append(f"/{font} {size} Tf ({_pdf_text(line)}) Tj")
    text.append("ET")
    stream = "\n".join(text).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R /F2 6 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def _pdf_text(value: str) -> str:
    encoded = value.encode("cp1252", "replace").decode("latin-1")
    return encoded.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def xlsx_bytes(sheet: str, rows: Sequence[tuple[str, str]]) -> bytes:
    """A minimal OOXML workbook (one sheet, inline strings) that spreadsheet programs open."""
    cells = []
    for number, (label, value) in enumerate(rows, start=1):
        cells.append(
            f'<row r="{number}"><c r="A{number}" t="inlineStr"><is><t>{escape(label)}</t></is></c>'
            f'<c r="B{number}" t="inlineStr"><is><t>{escape(value)}</t></is></c></row>'
        )
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
            ' xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f'<sheets><sheet name="{escape(_sheet_name(sheet))}" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
            "</Relationships>"
        ),
        "xl/worksheets/sheet1.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f"<sheetData>{''.join(cells)}</sheetData></worksheet>"
        ),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            info = zipfile.ZipInfo(name, _ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text.encode("utf-8"))
    return out.getvalue()


def _sheet_name(name: str) -> str:
    """Excel refuses sheet names over 31 characters or with any of []:*?/\\."""
    return re.sub(r"[\[\]:*?/\\]", " ", name)[:31].strip() or "Passport"
