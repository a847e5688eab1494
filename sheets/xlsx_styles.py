"""A workbook's cell formats (styles.xml ``cellXfs``) as ``sheets.xlsx_patch`` writes them.

A cell written in place keeps its own style (font, fill, border, protection: what staff gave
it) with the alignment and number format ``sheets.xlsx._set_text`` gives through openpyxl; such
a style is added once to the book's list and shared by every cell that needs it.
"""

from __future__ import annotations

from lxml import etree
from openpyxl.styles.numbers import BUILTIN_FORMATS, BUILTIN_FORMATS_REVERSE

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_M = f"{{{MAIN}}}"


class Unpatchable(Exception):
    """The book has something ``sheets.xlsx_patch`` does not write with certainty: use openpyxl."""


class Styles:
    """The book's cell formats (cellXfs): a cell's style with another alignment or number format."""

    def __init__(self, root: etree._Element, part: str) -> None:
        self.root, self.part, self.changed = root, part, False
        xfs = root.find(_M + "cellXfs")
        if xfs is None:
            raise Unpatchable("styles.xml без cellXfs")
        self.xfs = xfs
        self.count = len(xfs)
        self._made: dict[tuple[int, bool, str | None], int] = {}
        self._formats: dict[int, str] = {}  # style id -> its format code, as read

    def derive(self, style: int, wrap: bool, number_format: str | None) -> int:
        """The id of ``style`` with the alignment ``_set_text`` gives (wrapped at the top, or
        top) and ``number_format`` (None: the style's own), added to the book when new."""
        key = (style, wrap, number_format)
        if key in self._made:
            return self._made[key]
        if not 0 <= style < self.count:
            style = 0  # a dangling id: Excel shows the default style, so does openpyxl
        xf = etree.fromstring(etree.tostring(self.xfs[style])) if self.count else etree.Element(_M + "xf")
        for old in xf.findall(_M + "alignment"):
            xf.remove(old)
        alignment = etree.Element(_M + "alignment", vertical="top")
        if wrap:
            alignment.set("wrapText", "1")
        protection = xf.find(_M + "protection")
        if protection is not None:
            protection.addprevious(alignment)  # the schema's order: alignment, then protection
        else:
            xf.append(alignment)
        xf.set("applyAlignment", "1")
        if number_format is not None:
            xf.set("numFmtId", str(self._number_format_id(number_format)))
            xf.set("applyNumberFormat", "1")
        for keep in ("numFmtId", "fontId", "fillId", "borderId"):
            xf.set(keep, xf.get(keep, "0"))
        same = next((i for i, old in enumerate(self.xfs) if etree.tostring(old) == etree.tostring(xf)), None)
        if same is None:
            self.xfs.append(xf)
            self.xfs.set("count", str(len(self.xfs)))
            same = self.count = len(self.xfs) - 1
            self.changed = True
        self._made[key] = same
        return same

    def number_format_of(self, style: int) -> str:
        """The format code of a style (to read a date cell as a date)."""
        if style not in self._formats:
            self._formats[style] = self._format_code(style)
        return self._formats[style]

    def _format_code(self, style: int) -> str:
        if not 0 <= style < self.count:
            return "General"
        fmt_id = int(self.xfs[style].get("numFmtId", "0"))
        if fmt_id in BUILTIN_FORMATS:
            return BUILTIN_FORMATS[fmt_id]
        fmts = self.root.find(_M + "numFmts")
        for f in fmts if fmts is not None else ():
            if f.get("numFmtId") == str(fmt_id):
                return f.get("formatCode", "General")
        return "General"

    def _number_format_id(self, code: str) -> int:
        if code in BUILTIN_FORMATS_REVERSE:
            return BUILTIN_FORMATS_REVERSE[code]
        fmts = self.root.find(_M + "numFmts")
        if fmts is None:
            fmts = etree.Element(_M + "numFmts", count="0")
            self.root.insert(0, fmts)
        for f in fmts:
            if f.get("formatCode") == code:
                return int(f.get("numFmtId", "0"))
        new = max([163, *(int(f.get("numFmtId", "0")) for f in fmts)]) + 1
        etree.SubElement(fmts, _M + "numFmt", numFmtId=str(new), formatCode=code)
        fmts.set("count", str(len(fmts)))
        self.changed = True
        return new

    def to_bytes(self) -> bytes:
        return etree.tostring(self.root, xml_declaration=True, encoding="UTF-8", standalone=True)
