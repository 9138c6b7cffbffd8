"""Every test that docs/files*.md names as holding a promise exists (issue 16, "done means")."""

from __future__ import annotations

import re

import pytest

from tests.conftest import REPO


@pytest.mark.parametrize("page", ["docs/files.md", "docs/files.en.md"])
def test_each_promise_names_tests_that_exist(page):
    text = (REPO / page).read_text(encoding="utf-8")
    section = text[text.index("| promise |" if page.endswith(".en.md") else "| 承诺 |"):]
    named = re.findall(r"`(tests/[\w/]+\.py)::(\w+)`", section)
    assert len(named) >= 6
    last_file = None
    for file, test in named:
        last_file = file
        assert f"def {test}(" in (REPO / file).read_text(encoding="utf-8"), (file, test)
    for test in re.findall(r"`::(\w+)`", section):  # a test of the file named just before
        assert any(f"def {test}(" in (REPO / f).read_text(encoding="utf-8") for f, _ in named), test
    assert last_file
