"""The layout's rules, checked from the source: data flows one way and nothing imports in a
circle (lazy imports inside functions count too: a cycle is a cycle when it runs)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("assistant", "graphs", "evals", "benchmarks", "closer")
# What each package may import from the project (besides itself).
ALLOWED = {
    "assistant": set(),
    "graphs": {"assistant"},
    "evals": {"assistant", "graphs"},
    "benchmarks": {"assistant", "graphs", "evals"},
    "closer": {"assistant", "graphs", "evals", "benchmarks"},
}


# Inside assistant/, layers from the bottom up: a unit may import units of lower layers only
# (units of one layer are independent of each other).  docs/architecture.md draws them.
ASSISTANT_LAYERS: tuple[tuple[str, ...], ...] = (
    ("assistant.core",),
    ("assistant.config",),
    ("assistant.text", "assistant.knowledge", "assistant.salvage"),
    ("assistant.learned",),
    (
        "assistant.reading",
        "assistant.safety",
        "assistant.retrieval",
        "assistant.model",
        "assistant.storage",
    ),
    ("assistant.gate",),
    ("assistant.coaching",),
)


def _unit(module: str) -> str | None:
    """The layer unit a module of assistant/ belongs to (None: the package itself)."""
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) >= 2 and parts[0] == "assistant" else None


def _layer(unit: str) -> int:
    for rank, units in enumerate(ASSISTANT_LAYERS):
        if unit in units:
            return rank
    raise AssertionError(f"{unit} is in no layer of ASSISTANT_LAYERS: add it")


def _layer_violations(graph: dict[str, set[str]]) -> list[str]:
    wrong = []
    for module, imported in graph.items():
        unit = _unit(module)
        if unit is None:
            continue
        for target in imported:
            other = _unit(target)
            if other is None or other == unit:
                continue
            if _layer(other) >= _layer(unit):
                wrong.append(f"{module} imports {target} (layer {_layer(other)} >= {_layer(unit)})")
    return wrong


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {
        _module_name(path): path for package in PACKAGES for path in (REPO / package).rglob("*.py")
    }


def _imports(path: Path, modules: dict[str, Path]) -> set[str]:
    """Project modules that ``path`` imports, anywhere in the file."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        for name in names:
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name:
                found.add(name)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(path, modules) - {name} for name, path in modules.items()}


def test_imports_flow_one_way() -> None:
    wrong = []
    for module, imported in _graph().items():
        package = module.split(".")[0]
        for target in imported:
            other = target.split(".")[0]
            if other != package and other not in ALLOWED[package]:
                wrong.append(f"{module} imports {target}")
        if package != "closer":  # tests' doubles never reach the product
            wrong += [f"{module} imports tests" for t in imported if t.startswith("tests")]
    assert wrong == []


def test_assistant_layers_import_downward_only() -> None:
    assert _layer_violations(_graph()) == []


def _ancestors(module: str) -> set[str]:
    parts = module.split(".")
    return {".".join(parts[:i]) for i in range(1, len(parts))}


def _package_edges(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """Each module's imports, less its own parent packages (Python runs those first anyway,
    so ``from closer.ui import views`` inside ``closer.ui.app`` is no cycle)."""
    return {m: {t for t in ts if t in graph} - _ancestors(m) for m, ts in graph.items()}


def test_no_import_cycles() -> None:
    edges = _package_edges(_graph())
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for target in sorted(edges[node]):
            if state.get(target) == 1:
                cycles.append([*trail[trail.index(target) :], target])
            elif target not in state:
                visit(target, [*trail, target])
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node, [node])
    assert cycles == []


def test_the_checker_sees_lazy_and_wrong_way_imports(tmp_path: Path) -> None:
    """The two checks above could pass by finding nothing: prove they find what they look for."""
    modules = {
        "assistant.a": tmp_path / "a.py",
        "assistant.b": tmp_path / "b.py",
        "graphs.g": tmp_path / "g.py",
    }
    modules["assistant.a"].write_text("def f():\n    from assistant.b import x\n")
    modules["assistant.b"].write_text("import assistant.a\nfrom graphs.g import y\n")
    modules["graphs.g"].write_text("")
    assert _imports(modules["assistant.a"], modules) == {"assistant.b"}
    assert _imports(modules["assistant.b"], modules) == {"assistant.a", "graphs.g"}


def test_the_layer_check_sees_upward_and_sideways_imports() -> None:
    graph = {
        "assistant.core.words": {"assistant.coaching.plan"},  # upward
        "assistant.reading.reader": {"assistant.safety.screen", "assistant.core.words"},
        "assistant.coaching.plan": {"assistant.core.words", "assistant.gate.listening"},
    }
    assert _layer_violations(graph) == [
        "assistant.core.words imports assistant.coaching.plan (layer 6 >= 0)",
        "assistant.reading.reader imports assistant.safety.screen (layer 4 >= 4)",
    ]


def test_assistant_is_grouped_by_concept() -> None:
    top = sorted(p.name for p in (REPO / "assistant").glob("*.py"))
    subpackages = sorted(p.parent.name for p in (REPO / "assistant").glob("*/__init__.py"))
    assert len(top) <= 12, top
    assert {"core", "model", "safety", "reading", "retrieval", "gate", "coaching"} <= set(
        subpackages
    )
    assert not list((REPO / "closer").glob("bench_*.py"))


@pytest.mark.parametrize("package", ["knowledge"])
def test_data_only_packages_hold_no_code(package: str) -> None:
    assert not list((REPO / package).rglob("*.py"))
