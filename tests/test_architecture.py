"""The package's folders are the pipeline's stages: each may use the stages
before it, never one after it, and no modules import each other in a loop.

Every import is read from the source, those inside functions too (the lazy
ones that keep WeasyPrint out of `leaflet check`), so a cycle cannot hide
behind an import made late.
"""

from __future__ import annotations

import ast
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT

PACKAGE = ROOT / "generator"
# Lower layers never import higher ones. Folders on one layer are
# independent of each other: wording never renders, and rendering never
# scores wording.
LAYERS = [
    {"problems", "resources"},
    {"content"},
    {"brand"},
    {"wording", "render"},
    {"verify"},
    {"batch"},
    {"__init__"},
    {"serve"},  # the web page, over the public API, as the CLI is
    {"cli"},
]
LAYER = {part: index for index, parts in enumerate(LAYERS) for part in parts}


def module_name(file: Path) -> str:
    parts = file.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(file: Path) -> set[str]:
    """The package's own modules that ``file`` imports, anywhere in it."""
    found = set()
    for node in ast.walk(ast.parse(file.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "generator":
            assert node.level == 0, f"{file}: use absolute imports"
            for alias in node.names:
                # "from generator.wording import report" imports a module
                candidate = f"{node.module}.{alias.name}"
                found.add(candidate if candidate in MODULES else node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "generator"}
    return found


FILES = sorted(PACKAGE.rglob("*.py"))
MODULES = {module_name(f) for f in FILES}
GRAPH = {module_name(f): imports_of(f) for f in FILES}


def stage(module: str) -> str:
    parts = module.split(".")
    return "__init__" if len(parts) == 1 else parts[1]


def test_every_module_sits_in_a_known_stage():
    assert {stage(m) for m in MODULES} <= set(LAYER), "add the new folder to LAYERS"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_imports_a_later_stage(module):
    upward = [
        target
        for target in GRAPH[module]
        if stage(target) != stage(module) and LAYER[stage(target)] >= LAYER[stage(module)]
    ]
    assert not upward, f"{module} imports {upward}, which come later in the pipeline (or beside it)"


def test_no_import_cycles():
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> None:
        if module in path:
            cycle = path[path.index(module):] + [module]
            pytest.fail("import cycle: " + " -> ".join(cycle))
        if module in done:
            return
        for target in sorted(GRAPH.get(module, ())):
            # A subpackage's __init__ imports nothing, so importing the folder is not a cycle.
            visit(target, path + [module])
        done.add(module)

    for module in sorted(GRAPH):
        visit(module, [])


@pytest.mark.parametrize("folder", sorted(p for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()))
def test_each_stage_states_its_job(folder):
    docstring = ast.get_docstring(ast.parse((folder / "__init__.py").read_text("utf-8")))
    assert docstring and "\n" not in docstring.strip(), f"{folder}/__init__.py needs a one-line docstring"


def test_no_module_is_named_like_a_folder():
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    folders = {part for line in tracked.splitlines() for part in Path(line).parts[:-1]}
    clashes = sorted(m for m in MODULES if m.rsplit(".", 1)[-1] in folders and m.count(".") > 1)
    assert not clashes, f"modules named like a folder: {clashes}"


def test_the_command_line_only_uses_the_public_api():
    """cli.py parses options and calls generator/__init__.py; the exceptions
    are how results are shown (the progress bar and the check report), and
    the web page, a front end over the same API, which `leaflet serve` starts
    (and whose printer it checks)."""
    shown = {"generator", "generator.batch.progress", "generator.wording.report", "generator.serve.app", "generator.serve.printing"}
    assert GRAPH["generator.cli"] <= shown, GRAPH["generator.cli"] - shown
