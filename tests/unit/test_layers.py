"""The layers of docs/ARCHITECTURE.md, checked on every import of the code (issue 14).

server -> schema -> gateway -> store -> models: a module imports its own layer or those below;
only the store imports the models; each library sits in the layers written for it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import REPO

LAYERS = ("server", "schema", "gateway", "store", "models")
# Project packages a layer may import, besides its own.
BELOW = {layer: set(LAYERS[position + 1 :]) for position, layer in enumerate(LAYERS)}
BELOW["schema"].discard("store")  # resolvers reach the data through the rules only...
BELOW["server"].discard("models")
BELOW["schema"].discard("models")
BELOW["gateway"].discard("models")
# ...but the records the rules hand up are the store's plain, immutable ones.
RECORDS = "store.records"
# Libraries that belong to one side of the line.
LIBRARIES = {
    "tortoise": {"store", "models"},
    "asyncpg": {"store"},
    "aiosqlite": {"store"},
    "strawberry": {"schema", "server"},
    "graphql": {"schema", "server"},
    "starlette": {"schema", "server"},
    "uvicorn": {"server"},
    "prometheus_client": {"server", "gateway"},
}


def _modules() -> Iterator[tuple[str, Path]]:
    for layer in LAYERS:
        for path in sorted((REPO / layer).rglob("*.py")):
            if path.name == "__main__.py" or "migrations" in path.parts:
                continue  # an entry point sits above every layer; migrations are generated
            yield layer, path


def _imports(path: Path) -> Iterator[tuple[int, str]]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module


MODULES = list(_modules())


@pytest.mark.parametrize(
    ("layer", "path"), MODULES, ids=[str(p.relative_to(REPO)) for _, p in MODULES]
)
def test_every_import_points_down(layer: str, path: Path):
    wrong = []
    for line, module in _imports(path):
        top = module.split(".")[0]
        if module == RECORDS and layer in {"schema", "server"}:
            continue
        if top in LAYERS and top != layer and top not in BELOW[layer]:
            wrong.append(f"line {line}: {layer} imports {module}")
        if top in LIBRARIES and layer not in LIBRARIES[top]:
            wrong.append(f"line {line}: {layer} uses {top}, which belongs to {LIBRARIES[top]}")
    assert not wrong, "\n".join(wrong)


def test_the_check_sees_every_layer():
    """A layer renamed or emptied would make the test above pass for nothing."""
    assert {layer for layer, _ in MODULES} == set(LAYERS)
    assert len(MODULES) > 40
