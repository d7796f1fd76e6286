"""Print the Mermaid diagram of dentrace's package dependencies that docs/architecture.md holds:
the layers of the import-linter contract (pyproject.toml), with the imports grimp finds.

An arrow is "imports"; an arrow implied by a longer path is left out (transitive reduction), and
an import the contract lists as a known exception is dashed. tests/unit/test_architecture_doc.py
fails when the doc's diagram differs from this script's output: run it and paste.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "dentrace"


def contract_layers(pyproject: Path = ROOT / "pyproject.toml"
                    ) -> tuple[list[list[str]], set[tuple[str, str]]]:
    """The layers contract's layers (top first, each a list of top-level names) and its ignored
    imports as (importer, imported) pairs of top-level names."""
    settings = tomllib.loads(pyproject.read_text(encoding="utf-8"))["tool"]["importlinter"]
    layers_contract = next(c for c in settings["contracts"] if c["type"] == "layers")
    layers = [[_top(name) for name in re.split(r"[|:]", layer)]
              for layer in layers_contract["layers"]]
    ignored = set()
    for rule in layers_contract.get("ignore_imports", []):
        importer, imported = (part.strip() for part in rule.split("->"))
        ignored.add((_top(importer), _top(imported)))
    return layers, ignored


def _top(module: str) -> str:
    """dentrace.detect.scan -> detect (wildcards included: dentrace.detect.** -> detect)."""
    return module.strip().split(".")[1]


def package_imports(names: list[str]) -> set[tuple[str, str]]:
    """(importer, imported) for each pair of top-level names where some module of the first
    imports some module of the second."""
    graph = grimp.build_graph(PACKAGE)
    return {(a, b) for a in names for b in names if a != b and graph.direct_import_exists(
        importer=f"{PACKAGE}.{a}", imported=f"{PACKAGE}.{b}", as_packages=True)}


def reduced(edges: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """The edges not implied by a path of two or more edges."""
    out: dict[str, set[str]] = {}
    for a, b in edges:
        out.setdefault(a, set()).add(b)

    def reaches(start: str, goal: str, skip: tuple[str, str]) -> bool:
        seen, todo = {start}, [start]
        while todo:
            node = todo.pop()
            for nxt in out.get(node, ()):
                if (node, nxt) == skip or nxt in seen:
                    continue
                if nxt == goal:
                    return True
                seen.add(nxt)
                todo.append(nxt)
        return False

    return {(a, b) for a, b in edges if not reaches(a, b, (a, b))}


def mermaid() -> str:
    """The diagram as a fenced Mermaid block."""
    layers, ignored = contract_layers()
    names = [name for layer in layers for name in layer]
    imports = package_imports(names)
    exceptions = imports & ignored
    lines = ["```mermaid", "flowchart TD"]
    for number, layer in enumerate(layers, start=1):
        lines.append(f'  subgraph layer{number}["layer {number}"]')
        lines.append("    direction LR")
        lines.extend(f'    n_{name}["{name}"]' for name in layer)
        lines.append("  end")
    lines.extend(f"  n_{a} --> n_{b}" for a, b in sorted(reduced(imports - exceptions)))
    lines.extend(f"  n_{a} -.->|exception| n_{b}" for a, b in sorted(exceptions))
    lines.append("```")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(mermaid())
