"""The layers of docs/architecture.md hold: each part imports only what its arrow allows.

The rules live in the tables below (one place to update when a module moves); a test checks
that docs/architecture.md draws the same arrows, so the document and the code cannot drift.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "coi_desktop"

# Which layer a module belongs to: the first prefix of its path below coi_desktop/ that matches.
LAYER_OF_PATH: tuple[tuple[str, str], ...] = (
    ("app.py", "entry"),
    ("cli.py", "entry"),
    ("__main__.py", "entry"),
    ("commands/", "entry"),
    ("ui/", "ui"),
    # The demo's and the tests' stand-ins: the loopback servers, the demo's world and loop.
    ("demo.py", "demo"),
    ("sync/demo_loop.py", "demo"),
    ("sync/sandbox/", "demo"),
    ("sync/", "sync"),
    ("review/", "review"),
    ("samples/", "samples"),
    ("", "domain"),  # every other top-level module, and migrations/
)

# The arrows: what each layer may import of the package besides itself.
ALLOWED: dict[str, frozenset[str]] = {
    "entry": frozenset({"ui", "demo", "sync", "review", "samples", "domain"}),
    "ui": frozenset({"sync", "review", "domain"}),
    "demo": frozenset({"sync", "review", "samples", "domain"}),
    "sync": frozenset({"review", "domain"}),
    "review": frozenset({"domain"}),
    # The generator never imports the reader, so a reading bug cannot hide in both; what is
    # the form's fact (field names, limit keys) lives in the domain for both to import.
    "samples": frozenset({"domain"}),
    "domain": frozenset(),
}

# Third-party packages only some layers may import, and who may.
ONLY_IN: dict[str, frozenset[str]] = {
    "PySide6": frozenset({"ui"}),
    "shiboken6": frozenset({"ui"}),
    "requests": frozenset({"sync", "demo"}),
    "urllib3": frozenset({"sync", "demo"}),
    "werkzeug": frozenset({"demo"}),
}
# The GUI's entry point builds the QApplication; no other module outside ui/ touches Qt.
QT_ENTRY = "app.py"

# Modules longer than this are split by idea; data tables are exempt.
MAX_LINES = 500
DATA_TABLES = frozenset({"review/acord_fields.py", "review/acord_template.py"})


def layer_of(relative: Path) -> str:
    path = relative.as_posix()
    return next(layer for prefix, layer in LAYER_OF_PATH if path.startswith(prefix))


def modules() -> Iterator[Path]:
    """Every module of the package, as a path relative to coi_desktop/."""
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path.relative_to(PACKAGE)


def imported_names(relative: Path) -> set[str]:
    """Every module name the file imports: at the top, inside functions, relative, or by a
    literal string given to importlib.import_module."""
    package = ["coi_desktop", *relative.parent.parts]
    names: set[str] = set()
    for node in ast.walk(ast.parse((PACKAGE / relative).read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            names.add(module)
            # `from coi_desktop import ui`: the name may be a module; module_path() falls back
            # to the package when it is not.
            names.update(f"{module}.{alias.name}" for alias in node.names)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and (node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id)
            == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names.add(node.args[0].value)
    return names


def module_path(name: str) -> Path | None:
    """The file below coi_desktop/ that an imported name of the package resolves to."""
    parts = name.split(".")[1:]
    for end in range(len(parts), -1, -1):
        candidate = PACKAGE.joinpath(*parts[:end])
        if candidate.with_suffix(".py").is_file():
            return candidate.with_suffix(".py").relative_to(PACKAGE)
        if (candidate / "__init__.py").is_file():
            return (candidate / "__init__.py").relative_to(PACKAGE)
    return None


def test_each_layer_imports_only_what_its_arrow_allows() -> None:
    offenders = []
    for relative in modules():
        layer = layer_of(relative)
        for name in sorted(imported_names(relative)):
            if name.split(".")[0] != "coi_desktop":
                continue
            target = module_path(name)
            assert target is not None, f"{relative} imports {name}, which does not exist"
            to = layer_of(target)
            if to != layer and to not in ALLOWED[layer]:
                offenders.append(f"{relative} ({layer}) imports {name} ({to})")
    assert offenders == []


def test_only_the_layers_named_import_qt_and_http_libraries() -> None:
    offenders = []
    for relative in modules():
        layer = layer_of(relative)
        for name in imported_names(relative):
            allowed = ONLY_IN.get(name.split(".")[0])
            if allowed is None or layer in allowed:
                continue
            if name.split(".")[0] in ("PySide6", "shiboken6") and relative.as_posix() == QT_ENTRY:
                continue
            offenders.append(f"{relative} ({layer}) imports {name}")
    assert offenders == []


def test_every_module_has_a_layer_with_arrows() -> None:
    assert {layer_of(relative) for relative in modules()} <= set(ALLOWED)
    assert all(to in ALLOWED for targets in ALLOWED.values() for to in targets)


def drawn_arrows() -> dict[str, frozenset[str]]:
    """The arrows of docs/architecture.md's layer drawing: lines `name ──▶ a, b, c`."""
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    arrows: dict[str, frozenset[str]] = {}
    for match in re.finditer(r"^(\w+)\s+──▶\s*(.*)$", text, re.MULTILINE):
        targets = re.findall(r"\w+", match.group(2))
        arrows[match.group(1)] = frozenset(t for t in targets if t in ALLOWED)
    return arrows


def test_the_architecture_document_draws_these_arrows() -> None:
    assert drawn_arrows() == ALLOWED


def test_no_module_is_longer_than_500_lines_outside_data_tables() -> None:
    long = {
        relative.as_posix(): length
        for relative in modules()
        if (length := len((PACKAGE / relative).read_text(encoding="utf-8").splitlines()))
        > MAX_LINES
    }
    assert {path: n for path, n in long.items() if path not in DATA_TABLES} == {}


def test_the_blank_form_is_not_in_the_package() -> None:
    assert not list(PACKAGE.rglob("*.pdf"))
