"""Imports point one way: read every module's imports (a function's lazy imports included, those
under ``if TYPE_CHECKING:`` left out) and check the layers of funnel_xl.

The report is a module today (funnel_xl/report.py) and becomes a package (funnel_xl/report/); the
checks treat ``report`` and every ``report.*`` module as one.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

from tests.conftest import REPO

PACKAGE = REPO / "funnel_xl"
# Pure computation: frames and rules in, figures out.
COMPUTE = ("metrics", "flow", "forecast", "quality", "stats", "compare")
# What compute modules must not import: the message catalogue and anything that reads or writes.
IO_LIBRARIES = {"openpyxl", "xlsxwriter", "python_calamine", "sqlite3", "click"}
IO_MODULES = {"files", "atomic", "reader", "sheets", "container", "store", "messages"}
# The only modules outside the report that may import it: the pipeline and the split writer.
REPORT_USERS = {"pipeline", "groups"}


def _module_name(path: Path) -> str:
    """funnel_xl/flow.py → "flow"; funnel_xl/report/__init__.py → "report"; report/x.py → "report.x"."""
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts) or "__init__"


@cache
def modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _is_package(name: str) -> bool:
    return modules()[name].name == "__init__.py"


def _type_checking_only(tree: ast.AST) -> set[ast.AST]:
    """The import nodes under ``if TYPE_CHECKING:``: they never run."""
    hidden = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                hidden |= set(ast.walk(child))
    return hidden


@cache
def imports(name: str) -> tuple[frozenset[str], frozenset[str]]:
    """(the package's own modules, the outside top-level packages) that module ``name`` imports."""
    tree = ast.parse(modules()[name].read_text(encoding="utf-8"))
    hidden = _type_checking_only(tree)
    here = name.split(".") if _is_package(name) or name == "__init__" else name.split(".")[:-1]
    here = [] if name == "__init__" else here
    own, outside = set(), set()
    for node in ast.walk(tree):
        if node in hidden:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                top, _, rest = alias.name.partition(".")
                if top == "funnel_xl":
                    own.add(_known(rest.split(".")) if rest else "__init__")
                else:
                    outside.add(top)
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                top, _, rest = (node.module or "").partition(".")
                if top != "funnel_xl":
                    outside.add(top)
                    continue
                base = rest.split(".") if rest else []
            else:
                base = _relative_base(here, node.level, node.module)
            for alias in node.names:
                own.add(_known(base + [alias.name]))
    own.discard(None)
    return frozenset(own - {name}), frozenset(outside)


def _relative_base(here: list[str], level: int, module: str | None) -> list[str]:
    """Where ``from <level dots><module> import …`` looks, from inside the package ``here``."""
    return here[: len(here) - (level - 1)] + (module.split(".") if module else [])


def _known(parts: list[str]) -> str | None:
    """The longest prefix of ``parts`` that is one of the package's modules."""
    for n in range(len(parts), 0, -1):
        candidate = ".".join(parts[:n])
        if candidate in modules():
            return candidate
    return "__init__" if not parts else None


def _is_report(name: str) -> bool:
    return name == "report" or name.startswith("report.")


def _layer(name: str) -> str:
    return "report" if _is_report(name) else name


def test_every_module_is_read():
    assert {"metrics", "flow", "cli", "pipeline", "frames"} <= set(modules())
    assert "messages" in imports("cli")[0] and "click" in imports("cli")[1]


def test_only_the_cli_imports_click():
    assert [m for m in modules() if "click" in imports(m)[1]] == ["cli"]


def test_each_library_has_its_one_place():
    """xlsxwriter writes the report and the template; SQLite is the store's; the rules stand alone."""
    uses = {lib: {m for m in modules() if lib in imports(m)[1]} for lib in ("xlsxwriter", "sqlite3")}
    assert {_layer(m) for m in uses["xlsxwriter"]} <= {"report", "template"}
    assert uses["sqlite3"] == {"store"}
    assert not imports("rules")[1] & {"pandas", "openpyxl", "xlsxwriter", "click"}
    for name in (m for m in modules() if m in COMPUTE):
        assert not imports(name)[1] & {"os", "pathlib", "io"}, name


def test_compute_modules_read_no_words_and_touch_no_files():
    for name in (m for m in modules() if m in COMPUTE):
        own, outside = imports(name)
        assert not outside & IO_LIBRARIES, (name, outside & IO_LIBRARIES)
        assert not own & IO_MODULES, (name, own & IO_MODULES)
        assert not any(_is_report(m) for m in own), name


def test_no_module_imports_another_modules_private_names():
    """A name with a leading underscore is its module's own: another module that needs it gets a
    public name (funnel_xl/report/ modules share helpers through report/table.py and cells.py)."""
    private = []
    for name, path in modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level > 0:
                private += [
                    (name, node.module, alias.name) for alias in node.names
                    if alias.name.startswith("_") and not alias.name.startswith("__")
                ]
    assert private == []


def test_only_the_pipeline_and_the_split_writer_import_the_report():
    users = {m for m in modules() if not _is_report(m) and any(_is_report(o) for o in imports(m)[0])}
    assert users <= REPORT_USERS, users - REPORT_USERS


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def _graph(layers: bool) -> dict[str, set[str]]:
    """Who imports whom among the package's modules; with ``layers``, the report as one node."""
    name = _layer if layers else (lambda m: m)
    graph: dict[str, set[str]] = {}
    for m in modules():
        graph.setdefault(name(m), set()).update(name(o) for o in imports(m)[0] if name(o) != name(m))
    return graph


def test_no_import_cycles_apart_from_the_report():
    cycles = _cycles(_graph(layers=False))
    assert [c for c in cycles if not any(_is_report(m) or m == "groups" for m in c)] == []
    # The package's __init__ re-exports the library; nothing inside imports it back.
    assert not [m for m in modules() if m != "__main__" and "__init__" in imports(m)[0]]


def test_no_import_cycles_with_the_report():
    assert _cycles(_graph(layers=True)) == []


def test_the_report_may_be_a_module_or_a_package():
    assert _module_name(PACKAGE / "report.py") == "report"
    assert _module_name(PACKAGE / "report" / "__init__.py") == "report"
    assert _module_name(PACKAGE / "report" / "overview.py") == "report.overview"
    assert all(_is_report(m) for m in ("report", "report.overview")) and not _is_report("reports")
    # In funnel_xl/report/overview.py (package "report"): "from ..flow import" and "from .cells import".
    assert _relative_base(["report"], 2, "flow") == ["flow"]
    assert _relative_base(["report"], 1, "cells") == ["report", "cells"]
    # In funnel_xl/pipeline.py (top level): "from .report import".
    assert _relative_base([], 1, "report") == ["report"]


def test_the_checks_see_a_cycle_and_a_lazy_import():
    """The helpers themselves: a cycle is found; a function's import counts; TYPE_CHECKING's not."""
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert "report" in imports("pipeline")[0]  # imported inside write_outputs
    assert "metrics" not in imports("cli")[0]  # only under TYPE_CHECKING
