"""The pictures in the docs show today's report of the example, and every picture linked exists.

PNG bytes change with the LibreOffice and poppler versions, so staleness is checked on what the
pictures show: scripts/render_pictures.py records the cell values of every sheet it renders in
docs/pictures/pictures.json; here the example is rebuilt and those values read back again.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys

import pytest

from tests.conftest import REPO

DOCS = [REPO / "README.md", REPO / "README.en.md", *sorted((REPO / "docs").glob("*.md"))]
RERENDER = "the pictures are stale: run  python scripts/render_pictures.py  and commit docs/pictures/"


@pytest.fixture(scope="module")
def render_pictures():
    spec = importlib.util.spec_from_file_location("render_pictures", REPO / "scripts" / "render_pictures.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


def recorded() -> dict:
    return json.loads((REPO / "docs" / "pictures" / "pictures.json").read_text(encoding="utf-8"))


def test_pictures_show_what_the_example_rebuilds_to_today(render_pictures, tmp_path):
    fresh = render_pictures.picture_sources(render_pictures.rebuild_example(tmp_path / "output"))
    assert set(fresh) == set(recorded()), RERENDER
    for png, source in recorded().items():
        assert fresh[png]["workbook"] == source["workbook"], RERENDER
        assert fresh[png]["sheet"] == source["sheet"], RERENDER
        assert fresh[png]["cells"] == source["cells"], f"{png}: {RERENDER}"


def test_the_recorded_values_are_what_the_script_writes(render_pictures):
    text = (REPO / "docs" / "pictures" / "pictures.json").read_text(encoding="utf-8")
    assert render_pictures.sources_json(recorded()) == text


def test_every_rendered_picture_is_committed_and_shown_in_both_readmes():
    readmes = [(REPO / name).read_text(encoding="utf-8") for name in ("README.md", "README.en.md")]
    for png in recorded():
        path = REPO / "docs" / "pictures" / png
        assert path.is_file() and path.read_bytes().startswith(b"\x89PNG\r\n\x1a\n"), png
        for readme in readmes:
            assert f"(docs/pictures/{png})" in readme, png


def anchors(page) -> set[str]:
    """The anchors GitHub gives the headings of a page: lower case, punctuation dropped, - for space."""
    text = re.sub(r"^ *```.*?^ *```", "", page.read_text(encoding="utf-8"), flags=re.MULTILINE | re.DOTALL)
    headings = re.findall(r"^#+ (.+)$", text, re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.relative_to(REPO).as_posix())
def test_every_picture_page_and_heading_a_doc_links_to_exists(doc):
    text = doc.read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target):
            continue  # a web address
        name, _, anchor = target.partition("#")
        path = (doc.parent / name).resolve() if name else doc
        assert path.exists(), f"{doc.name} links to {target}, which does not exist"
        if anchor:
            assert anchor in anchors(path), f"{doc.name} links to {target}: no such heading"
