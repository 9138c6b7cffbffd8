"""The styles part of a workbook (xl/styles.xml), read and extended on its text.

A cell's style is an index into ``cellXfs``; each format there names a fill and a number format.
Refresh needs a few formats its cells do not have yet (a cell's own format with the highlight fill,
or with a date format): :meth:`Styles.derived` finds an equal format or appends one, once, and
everything else in the part stays as its writer wrote it.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import quoteattr

from .xlsx_parts import attributes

_PREFIX = r"(?:[A-Za-z_][\w.-]*:)?"


def _region(name: str) -> re.Pattern:
    return re.compile(r"<(" + _PREFIX + name + r")\b([^>]*?)(?:/>|>(.*?)</\1\s*>)", re.DOTALL)


def _items(name: str) -> re.Pattern:
    return re.compile(r"<" + _PREFIX + name + r"\b[^>]*?(?:/>|>.*?</" + _PREFIX + name + r"\s*>)", re.DOTALL)


_REGIONS = {"numFmts": _region("numFmts"), "fills": _region("fills"), "cellXfs": _region("cellXfs")}
_ITEMS = {"numFmts": _items("numFmt"), "fills": _items("fill"), "cellXfs": _items("xf")}
_START = re.compile(r"<[^>]*?>")
_BETWEEN_TAGS = re.compile(r">\s+<")
_PATTERN = re.compile(r"<" + _PREFIX + r"patternFill\b([^>]*)>")
_FOREGROUND = re.compile(r"<" + _PREFIX + r"fgColor\b([^>]*)>")
# Built-in number formats that show a date (ECMA-376 18.8.30).
DATE_FORMAT_IDS = {14, 15, 16, 17, 22, 27, 30, 36, 50, 57}


class Styles:
    """The number formats, fills and cell formats of a styles part, and what refresh adds."""

    def __init__(self, xml: str):
        self.xml = xml
        root = re.search(r"<(" + _PREFIX + r")styleSheet\b", xml)
        self.prefix = root[1] if root else ""
        self.items = {}
        for name, region in _REGIONS.items():
            found = region.search(xml)
            self.items[name] = _ITEMS[name].findall(found[3] or "") if found else []
        self.added = {name: 0 for name in _REGIONS}
        self._derived: dict[tuple, int] = {}
        self._fills: dict[int, str] = {}
        self._fill_tests: dict[tuple, bool] = {}
        self._xf_attrs = [attributes(_START.match(xf)[0]) for xf in self.items["cellXfs"]]

    @property
    def changed(self) -> bool:
        return any(self.added.values())

    # -- reading -----------------------------------------------------------------------------

    def xf(self, style: int) -> dict[str, str]:
        return self._xf_attrs[style] if 0 <= style < len(self._xf_attrs) else {}

    def fill_id(self, style: int) -> int:
        return int(self.xf(style).get("fillId", 0) or 0)

    def number_format_id(self, style: int) -> int:
        return int(self.xf(style).get("numFmtId", 0) or 0)

    def is_general(self, style: int) -> bool:
        """The cell format shows numbers as "General" (built-in 0, or a custom format so written)."""
        number = self.number_format_id(style)
        if number == 0:
            return True
        for item in self.items["numFmts"]:
            attrs = attributes(_START.match(item)[0])
            if attrs.get("numFmtId") == str(number):
                return attrs.get("formatCode", "").lower() == "general"
        return False

    def fill(self, fill_id: int) -> str:
        if fill_id not in self._fills:
            fills = self.items["fills"]
            self._fills[fill_id] = _BETWEEN_TAGS.sub("><", fills[fill_id]) if 0 <= fill_id < len(fills) else ""
        return self._fills[fill_id]

    def fill_is_empty(self, fill_id: int) -> bool:
        """No pattern (or pattern "none") and no gradient: openpyxl's fill_type None."""
        return self._fill_test(("empty", fill_id), lambda: self._fill_is_empty(fill_id))

    def fill_is(self, fill_id: int, rgb: str) -> bool:
        """A solid fill whose foreground is exactly ``rgb`` (ARGB)."""
        return self._fill_test((rgb, fill_id), lambda: self._fill_is(fill_id, rgb))

    def _fill_test(self, key: tuple, test) -> bool:
        """A fill's test, made once per fill (refresh asks it for every stalled lead's cells); a
        fill the part does not hold yet is asked again (one may be added)."""
        if key in self._fill_tests:
            return self._fill_tests[key]
        answer = test()
        if 0 <= key[1] < len(self.items["fills"]):
            self._fill_tests[key] = answer
        return answer

    def _fill_is_empty(self, fill_id: int) -> bool:
        text = self.fill(fill_id)
        if not text or "gradientFill" in text:
            return not text
        pattern = _PATTERN.search(text)
        return pattern is None or attributes(f"<p {pattern[1]}>").get("patternType", "none") == "none"

    def _fill_is(self, fill_id: int, rgb: str) -> bool:
        text = self.fill(fill_id)
        pattern, colour = _PATTERN.search(text), _FOREGROUND.search(text)
        if pattern is None or colour is None:
            return False
        solid = attributes(f"<p {pattern[1]}>").get("patternType") == "solid"
        return solid and attributes(f"<c {colour[1]}>").get("rgb", "").upper() == rgb.upper()

    def styles_with_fill(self, rgb: str) -> set[int]:
        fills = {i for i in range(len(self.items["fills"])) if self.fill_is(i, rgb)}
        return {i for i in range(len(self._xf_attrs)) if self.fill_id(i) in fills}

    def empty_fill(self) -> int:
        return next((i for i in range(len(self.items["fills"])) if self.fill_is_empty(i)), 0)

    # -- adding --------------------------------------------------------------------------------

    def solid_fill(self, rgb: str) -> int:
        """The index of a solid fill of ``rgb``; added when the part has none."""
        p = self.prefix
        text = (
            f'<{p}fill><{p}patternFill patternType="solid"><{p}fgColor rgb="{rgb}"/>'
            f'<{p}bgColor rgb="{rgb}"/></{p}patternFill></{p}fill>'
        )
        key = ("fill", rgb)
        if key not in self._derived:
            self._derived[key] = self._index("fills", text)
        return self._derived[key]

    def number_format(self, code: str) -> int:
        """The id of a custom number format ``code``; added when the part has none."""
        ids = []
        for item in self.items["numFmts"]:
            attrs = attributes(_START.match(item)[0])
            if attrs.get("formatCode") == code:
                return int(attrs["numFmtId"])
            ids.append(int(attrs.get("numFmtId", 0)))
        number = max([163, *ids]) + 1
        self.items["numFmts"].append(f"<{self.prefix}numFmt numFmtId=\"{number}\" formatCode={quoteattr(code)}/>")
        self.added["numFmts"] += 1
        return number

    def derived(self, style: int, **changes: int) -> int:
        """The cell format ``style`` with ``fillId`` / ``numFmtId`` changed: an equal existing
        format, else a new one."""
        key = (style, *sorted(changes.items()))
        if key not in self._derived:
            self._derived[key] = self._derive(style, changes)
        return self._derived[key]

    def _derive(self, style: int, changes: dict[str, int]) -> int:
        xfs = self.items["cellXfs"]
        text = xfs[style] if 0 <= style < len(xfs) else f"<{self.prefix}xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>"
        start = _START.match(text)[0]
        new_start = start
        for key, value in changes.items():
            applied = {"fillId": "applyFill", "numFmtId": "applyNumberFormat"}[key]
            for name, val in ((key, str(value)), (applied, "1")):
                pattern = re.compile(r"(\s" + name + r'\s*=\s*)("[^"]*"|\'[^\']*\')')
                if pattern.search(new_start):
                    new_start = pattern.sub(lambda m, v=val: f'{m[1]}"{v}"', new_start, count=1)
                else:
                    close = new_start.rfind("/>") if new_start.endswith("/>") else len(new_start) - 1
                    new_start = f'{new_start[:close]} {name}="{val}"{new_start[close:]}'
        return self._index("cellXfs", new_start + text[len(start):])

    def _index(self, region: str, text: str) -> int:
        items = self.items[region]
        normal = _BETWEEN_TAGS.sub("><", text)
        for i, item in enumerate(items):
            if _BETWEEN_TAGS.sub("><", item) == normal:
                return i
        items.append(text)
        self.added[region] += 1
        if region == "cellXfs":
            self._xf_attrs.append(attributes(_START.match(text)[0]))
        return len(items) - 1

    def to_bytes(self) -> bytes:
        xml = self.xml
        for name in ("cellXfs", "fills", "numFmts"):  # in reverse document order: offsets hold
            if not self.added[name]:
                continue
            found = _REGIONS[name].search(xml)
            body = "".join(self.items[name])
            if found is None:
                # Only numFmts may be missing; it comes first in the style sheet.
                at = xml.index(">", re.search(r"<" + _PREFIX + r"styleSheet\b", xml).start()) + 1
                xml = f'{xml[:at]}<{self.prefix}numFmts count="{len(self.items[name])}">{body}</{self.prefix}numFmts>{xml[at:]}'
                continue
            start = re.sub(r'\scount\s*=\s*("[^"]*"|\'[^\']*\')', "", f"<{found[1]}{found[2]}").rstrip("/")
            start = f'{start} count="{len(self.items[name])}">'
            xml = f"{xml[:found.start()]}{start}{body}</{found[1]}>{xml[found.end():]}"
        return xml.encode("utf-8")
