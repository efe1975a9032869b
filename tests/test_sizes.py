"""Sizes the house keeps (issue 9): no module in ingest/ over 300 lines and no function
over 40, and the command line the same, one small parser per command group. storage/ is
held to the module limit only: a function there (``SqliteCases.edit_act``) is still over."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
MAX_MODULE_LINES = 300
MAX_FUNCTION_LINES = 40
CHECKED = sorted([*(ROOT / "ingest").rglob("*.py"), *(ROOT / "liuhen").glob("cli*.py")])
STORAGE = sorted((ROOT / "storage").rglob("*.py"))


def _functions(tree: ast.AST) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    kinds = (ast.FunctionDef, ast.AsyncFunctionDef)
    return [node for node in ast.walk(tree) if isinstance(node, kinds)]


@pytest.mark.parametrize("path", CHECKED, ids=lambda path: str(path.relative_to(ROOT)))
def test_modules_and_functions_stay_small(path):
    text = path.read_text()
    lines = len(text.splitlines())
    assert lines <= MAX_MODULE_LINES, f"{lines} lines; split it by purpose"
    long = {
        node.name: node.end_lineno - node.lineno + 1
        for node in _functions(ast.parse(text))
        if node.end_lineno is not None and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    }
    assert not long, f"functions over {MAX_FUNCTION_LINES} lines: {long}"


@pytest.mark.parametrize("path", STORAGE, ids=lambda path: str(path.relative_to(ROOT)))
def test_storage_modules_stay_small(path):
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_MODULE_LINES, f"{lines} lines; split it by purpose"


def test_the_check_sees_the_rooms():
    rooms = {path.parent.name for path in CHECKED}
    assert {"http", "access", "uploads", "custody", "media", "compliance", "liuhen"} <= rooms
    assert {"storage", "sqlite", "postgres"} <= {path.parent.name for path in STORAGE}
