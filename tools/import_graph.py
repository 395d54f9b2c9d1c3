"""Measure trimtab's import graph: the largest import cycle and the arrows that point upward.

Usage: ``python tools/import_graph.py [SRC_DIR]`` (default ``src``). Every ``import`` of a
``trimtab`` module counts, except those under ``if TYPE_CHECKING:`` when ``--runtime`` is given.
An arrow points upward when a lower layer imports a higher one (layers as in DESIGN.md:
records and distributions < trial, Pareto domination, unit-box transforms < storages < view <
search spaces/samplers/pruners < study < everything that uses studies).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

LAYERS = [
    (
        "trimtab._lazy",
        "trimtab._warnings",
        "trimtab._foreign",
        "trimtab.logging",
        "trimtab.exceptions",
        "trimtab.version",
        "trimtab._study_records",
        "trimtab.distributions",
    ),
    ("trimtab.trial", "trimtab._multi_objective", "trimtab._transform"),
    ("trimtab.storages",),
    ("trimtab._study_view",),
    ("trimtab.search_space", "trimtab.samplers", "trimtab.pruners", "trimtab.hypervolume"),
    ("trimtab.study",),
]


def layer(module: str) -> int:
    for rank, prefixes in enumerate(LAYERS):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return rank
    return len(LAYERS)  # importance, visualization, execution, cli, dashboard, ...


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports(tree: ast.AST, runtime: bool, package: str, modules: set[str]) -> set[str]:
    """Modules imported by ``tree``: ``from a import b`` counts as ``a.b`` when that is one."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if runtime and isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.add(sub if sub in modules else base)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def graph(src: Path, runtime: bool) -> dict[str, set[str]]:
    modules: dict[str, Path] = {}
    for path in (src / "trimtab").rglob("*.py"):
        parts = list(path.relative_to(src).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    edges: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets = imports(ast.parse(path.read_text()), runtime, package, set(modules))
        # The root package only re-exports; its __init__ is not an arrow of the design.
        edges[name] = {t for t in targets if t in modules and t not in (name, "trimtab")}
    return edges


def largest_cycle(edges: dict[str, set[str]]) -> set[str]:
    """The largest strongly connected component (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    best: set[str] = set()
    counter = [0]
    sys.setrecursionlimit(10000)

    def strong(v: str) -> None:
        nonlocal best
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in edges[v]:
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > len(best):
                best = component

    for v in edges:
        if v not in index:
            strong(v)
    return best if len(best) > 1 else set()


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    src = Path(args[0] if args else "src")
    verbose = "--verbose" in sys.argv
    for runtime in (False, True):
        edges = graph(src, runtime)
        cycle = largest_cycle(edges)
        upward = sorted(
            (a, b) for a, targets in edges.items() for b in targets if layer(b) > layer(a)
        )
        kind = "run-time imports" if runtime else "all imports (TYPE_CHECKING included)"
        print(
            f"{kind}: {len(edges)} modules, largest cycle {len(cycle)} files, "
            f"{len(upward)} upward arrows"
        )
        if verbose:
            for a, b in upward:
                print(f"    {a} -> {b}")
            print("    cycle:", ", ".join(sorted(cycle)))


if __name__ == "__main__":
    main()
