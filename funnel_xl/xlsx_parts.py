"""An .xlsx (or .xlsm) as a package of zip parts, edited part by part.

Reading: the parts by name, the worksheet part of a sheet, a part's relationships. Writing:
:func:`write_package` copies every part it is not given anew byte for byte — the compressed bytes
themselves, not a recompression — so a workbook keeps what no library models (charts, pivot tables,
macros, slicers …). The small edits a part needs (a relationship, a content type, a custom document
property) are made on its text, so everything else in it stays as its writer wrote it.
"""

from __future__ import annotations

import io
import os
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr, unescape

WORKBOOK = "xl/workbook.xml"
CONTENT_TYPES = "[Content_Types].xml"
ROOT_RELS = "_rels/.rels"
CUSTOM = "docProps/custom.xml"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CUSTOM_REL = f"{REL}/custom-properties"
CUSTOM_TYPE = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"
_PREFIX = r"(?:[A-Za-z_][\w.-]*:)?"
_RELATIONSHIP = re.compile(r"<" + _PREFIX + r"Relationship\b[^>]*?/?>")
_ATTR = re.compile(r'([\w:.-]+)\s*=\s*("[^"]*"|\'[^\']*\')')
_SHEET = re.compile(r"<" + _PREFIX + r"sheet\b[^>]*?/?>")
_PROPERTY = re.compile(r"<(" + _PREFIX + r")property\b([^>]*?)(?:/>|>(.*?)</\1property>)", re.DOTALL)
_TEXT = re.compile(r">([^<]*)<")


def attributes(tag: str) -> dict[str, str]:
    """The attributes of one start tag, by qualified name, unescaped."""
    return {k: unescape(v[1:-1], {"&quot;": '"', "&apos;": "'"}) for k, v in _ATTR.findall(tag)}


def local(name: str) -> str:
    return name.rsplit(":", 1)[-1]


class Package:
    """The parts of a zip package, read on demand."""

    def __init__(self, content: bytes):
        self.content = content
        self.archive = zipfile.ZipFile(io.BytesIO(content))
        self.infos = [i for i in self.archive.infolist() if not i.is_dir()]
        self.names = {i.filename for i in self.infos}

    def read(self, name: str) -> bytes:
        return self.archive.read(name)

    def text(self, name: str) -> str:
        return self.read(name).decode("utf-8")

    def relationships(self, part: str) -> list[dict[str, str]]:
        """The relationships of ``part``, each with its ``Target`` resolved to a part name."""
        rels = rels_name(part)
        if rels not in self.names:
            return []
        found = []
        for tag in _RELATIONSHIP.findall(self.text(rels)):
            rel = {local(k): v for k, v in attributes(tag).items()}
            if rel.get("TargetMode") != "External":
                rel["part"] = resolve(part, rel.get("Target", ""))
            found.append(rel)
        return found

    def sheet_part(self, sheet: str) -> str | None:
        """The worksheet part of the sheet named ``sheet``."""
        ids = {}
        for tag in _SHEET.findall(self.text(WORKBOOK)):
            attrs = attributes(tag)
            rid = next((v for k, v in attrs.items() if local(k) == "id" and k != "sheetId"), None)
            ids[attrs.get("name")] = rid
        rid = ids.get(sheet)
        for rel in self.relationships(WORKBOOK):
            if rel.get("Id") == rid and rel.get("Type", "").endswith("/worksheet"):
                return rel.get("part")
        return None

    def free_name(self, pattern: str, taken: Iterable[str] = ()) -> str:
        """The first ``pattern.format(n)``, n = 1, 2 …, that names no part."""
        used = self.names | set(taken)
        n = 1
        while pattern.format(n) in used:
            n += 1
        return pattern.format(n)


def rels_name(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{name}.rels")


def resolve(source: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def relative(source: str, part: str) -> str:
    return posixpath.relpath(part, posixpath.dirname(source) or ".")


def with_relationship(rels: str | None, rel_type: str, target: str) -> tuple[str, str]:
    """``rels`` (None: a new part) with one more relationship; returns (the text, its Id)."""
    if rels is None:
        rels = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            "</Relationships>"
        )
    taken = {attributes(tag).get("Id") for tag in _RELATIONSHIP.findall(rels)}
    n = 1
    while f"rId{n}" in taken:
        n += 1
    rid = f"rId{n}"
    element = f"<Relationship Id={quoteattr(rid)} Type={quoteattr(rel_type)} Target={quoteattr(target)}/>"
    return insert_before_close(rels, "Relationships", element), rid


def insert_before_close(text: str, element: str, addition: str) -> str:
    """``addition`` inserted at the end of the (last) ``element``, whatever its prefix; a
    self-closing element is opened for it."""
    close = list(re.finditer(r"</(" + _PREFIX + re.escape(element) + r")\s*>", text))
    if close:
        at = close[-1].start()
        return text[:at] + addition + text[at:]
    empty = list(re.finditer(r"<(" + _PREFIX + re.escape(element) + r")\b([^>]*?)/>", text))[-1]
    return text[: empty.start()] + f"<{empty[1]}{empty[2]}>{addition}</{empty[1]}>" + text[empty.end():]


def with_content_type(types: str, part: str, content_type: str) -> str:
    """[Content_Types].xml with ``part`` declared, unless its extension's default already fits."""
    extension = part.rsplit(".", 1)[-1].lower()
    for tag in re.findall(r"<" + _PREFIX + r"(?:Default|Override)\b[^>]*?/?>", types):
        attrs = attributes(tag)
        if attrs.get("PartName", "").lstrip("/") == part:
            return types
        if attrs.get("Extension", "").lower() == extension and attrs.get("ContentType") == content_type:
            return types
    element = f"<Override PartName={quoteattr('/' + part)} ContentType={quoteattr(content_type)}/>"
    return insert_before_close(types, "Types", element)


def with_default_type(types: str, extension: str, content_type: str) -> str:
    for tag in re.findall(r"<" + _PREFIX + r"Default\b[^>]*?/?>", types):
        if attributes(tag).get("Extension", "").lower() == extension:
            return types
    element = f"<Default Extension={quoteattr(extension)} ContentType={quoteattr(content_type)}/>"
    return insert_before_close(types, "Types", element)


# ---------------------------------------------------------------------------
# Custom document properties (docProps/custom.xml)
# ---------------------------------------------------------------------------

def custom_properties(xml: str | None) -> dict[str, str]:
    """The text of each custom property, by name."""
    found = {}
    for match in _PROPERTY.finditer(xml or ""):
        name = attributes(f"<p {match[2]}>").get("name")
        if name is not None:
            found[name] = unescape("".join(_TEXT.findall(f">{match[3] or ''}<")))
    return found


def with_custom_properties(xml: str | None, values: dict[str, str], drop) -> str:
    """``xml`` (None: a new part) without the properties whose name ``drop`` accepts, and with
    ``values`` as text properties, appended in order."""
    if xml is None:
        xml = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
            'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"></Properties>'
        )
    kept, pids = [], [1]
    pieces, last = [], 0
    for match in _PROPERTY.finditer(xml):
        attrs = attributes(f"<p {match[2]}>")
        if drop(attrs.get("name", "")):
            pieces.append(xml[last:match.start()])
            last = match.end()
        else:
            kept.append(match)
            pids.append(int(attrs["pid"]) if attrs.get("pid", "").isdigit() else 1)
    xml = "".join(pieces) + xml[last:]
    vt = re.search(r'xmlns:([\w.-]+)="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"', xml)
    prefix = vt[1] if vt else None
    added = []
    for pid, (name, value) in enumerate(values.items(), start=max(pids) + 1):
        declare = "" if prefix else ' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"'
        tag = prefix or "vt"
        added.append(
            f'<property fmtid="{_FMTID}" pid="{pid}" name={quoteattr(name)}>'
            f"<{tag}:lpwstr{declare}>{escape(value)}</{tag}:lpwstr></property>"
        )
    return insert_before_close(xml, "Properties", "".join(added))


# ---------------------------------------------------------------------------
# Writing the package
# ---------------------------------------------------------------------------

_LOCAL = struct.Struct("<4s5H3L2H")
_CENTRAL = struct.Struct("<4s6H3L5H2L")
_END = struct.Struct("<4s4H2LH")
_UTF8 = 0x800
_LIMIT = 0xFFFFFFFF


def write_package(package: Package, target: Path, parts: dict[str, bytes | list]) -> None:
    """Write ``package`` to ``target`` with ``parts`` replaced or added (new ones last); every
    other part is copied as it is stored, compressed bytes and all. ``target`` is flushed to disk."""
    entries = []
    with open(target, "wb") as out:
        for info in package.infos:
            if info.filename in parts:
                entries.append(_write_new(out, info.filename, parts[info.filename], info.date_time))
            else:
                entries.append(_copy_raw(out, package, info))
        for name, data in parts.items():
            if name not in package.names:
                entries.append(_write_new(out, name, data, (1980, 1, 1, 0, 0, 0)))
        start = out.tell()
        for entry in entries:
            out.write(entry)
        size = out.tell() - start
        if start > _LIMIT or len(entries) > 0xFFFF:
            raise ValueError("workbook too large for a plain zip")
        out.write(_END.pack(b"PK\x05\x06", 0, 0, len(entries), len(entries), size, start, 0))
        out.flush()
        os.fsync(out.fileno())


def _dos(date_time) -> tuple[int, int]:
    year, month, day, hour, minute, second = date_time
    return (hour << 11) | (minute << 5) | (second // 2), ((max(year, 1980) - 1980) << 9) | (month << 5) | day


def _header(out, name: str, flags: int, method: int, date_time, crc: int, csize: int, size: int,
            attributes_: int = 0) -> bytes:
    """Write the local header at the current position; return the central directory entry."""
    encoded = name.encode("utf-8")
    flags = (flags & ~0x08) | (_UTF8 if not name.isascii() else 0)
    if csize > _LIMIT or size > _LIMIT:
        raise ValueError(f"part {name} too large for a plain zip")
    time_, date_ = _dos(date_time)
    offset = out.tell()
    out.write(_LOCAL.pack(b"PK\x03\x04", 20, flags, method, time_, date_, crc, csize, size, len(encoded), 0))
    out.write(encoded)
    return _CENTRAL.pack(
        b"PK\x01\x02", 20, 20, flags, method, time_, date_, crc, csize, size, len(encoded), 0, 0, 0, 0,
        attributes_, offset,
    ) + encoded


def _copy_raw(out, package: Package, info: zipfile.ZipInfo) -> bytes:
    content = package.content
    at = info.header_offset
    name_length, extra_length = struct.unpack_from("<2H", content, at + 26)
    data = at + 30 + name_length + extra_length
    entry = _header(
        out, info.filename, info.flag_bits, info.compress_type, info.date_time, info.CRC,
        info.compress_size, info.file_size, info.external_attr,
    )
    out.write(memoryview(content)[data:data + info.compress_size])
    return entry


def _write_new(out, name: str, data: bytes | list, date_time) -> bytes:
    chunks = [data] if isinstance(data, bytes) else data
    packer = zlib.compressobj(6, zlib.DEFLATED, -15)
    crc = size = 0
    packed = []
    for chunk in chunks:
        crc = zlib.crc32(chunk, crc)
        size += len(chunk)
        packed.append(packer.compress(chunk))
    packed.append(packer.flush())
    csize = sum(len(p) for p in packed)
    entry = _header(out, name, 0, zipfile.ZIP_DEFLATED, date_time, crc, csize, size, 0o600 << 16)
    for piece in packed:
        out.write(piece)
    return entry
