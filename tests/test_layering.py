"""The layers, read from the imports (issue 10, design-review.md (a)): every ``import`` in
every module of ``juwei/``, at module level or inside a function.

- The law (``rules/``) imports only the law and the error kernel (``juwei.errors``).
- The engine (``elections/``) never imports the command line or the paper.
- The paper (``ballots/``) never imports the command line, and from the engine only its
  read-models (``elections.readmodels``).

Known violations still to be fixed are listed in ``ALLOWED`` (a list that only shrinks): the
test fails on a new one, and on an entry that is no longer needed.
"""

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "juwei"

#: (module, imported module) pairs allowed for now. The law still builds its reasons with
#: ``juwei.i18n`` (design-review V2); issue 10 §1 (the law returns codes, not prose) removes
#: them. Remove an entry when its import goes.
ALLOWED = {
    ("juwei.rules.assembly", "juwei.i18n"),
    ("juwei.rules.by_election", "juwei.i18n"),
    ("juwei.rules.charter", "juwei.i18n"),
    ("juwei.rules.collation", "juwei.i18n"),
    ("juwei.rules.counting", "juwei.i18n"),
    ("juwei.rules.eligibility", "juwei.i18n"),
    ("juwei.rules.evaluation", "juwei.i18n"),
    ("juwei.rules.identity", "juwei.i18n"),
    ("juwei.rules.recall", "juwei.i18n"),
    ("juwei.rules.slate", "juwei.i18n"),
    ("juwei.rules.thresholds", "juwei.i18n"),
    ("juwei.rules.timetable", "juwei.i18n"),
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports() -> Iterator[tuple[str, str, int]]:
    """(module, imported juwei module, line) for every import of a juwei module in juwei/."""
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        module = module_name(path)
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:  # relative: from the package, up level - 1
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                # "from juwei.x import y": y may be a module (juwei.x.y) or a name in juwei.x
                names = [base] + [f"{base}.{alias.name}" for alias in node.names]
                names = [n for n in names if _is_module(n)] or [base]
            else:
                continue
            for name in names:
                if name == "juwei" or name.startswith("juwei."):
                    yield module, name, node.lineno


def _is_module(name: str) -> bool:
    relative = Path(*name.split("."))
    return (PACKAGE.parent / relative).with_suffix(".py").exists() or (
        PACKAGE.parent / relative / "__init__.py"
    ).exists()


def layer(module: str) -> str:
    """``rules``, ``elections``, ``ballots``, ``commands``, ``cli`` or a leaf (``errors`` …)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "juwei"


def forbidden(module: str, imported: str) -> str | None:
    """Why ``module`` may not import ``imported``, or None when it may."""
    source, target = layer(module), layer(imported)
    if source == target:
        return None
    if source == "rules" and target != "errors":
        return "the law imports only the law and juwei.errors"
    if source == "elections" and target in ("commands", "cli", "ballots"):
        return "the engine never imports the command line or the paper"
    if source == "ballots" and target in ("commands", "cli"):
        return "the paper never imports the command line"
    if source == "ballots" and target == "elections" and imported != "juwei.elections.readmodels":
        return "the paper reads the engine's read-models only (juwei.elections.readmodels)"
    return None


FOUND = sorted(
    {
        (module, imported, line, reason)
        for module, imported, line in imports()
        if (reason := forbidden(module, imported)) is not None
    }
)


def test_the_scan_sees_imports_inside_functions_too() -> None:
    found = {(m, i) for m, i, _ in imports()}
    assert ("juwei.cli", "juwei.commands.committee") in found  # inside _prepare
    assert ("juwei.ballots.verify_pdf", "juwei.elections.readmodels") in found
    assert ("juwei.commands._common", "juwei.elections.db") in found  # inside a method
    assert forbidden("juwei.rules.counting", "juwei.elections.models") is not None
    assert forbidden("juwei.ballots.results", "juwei.elections.verify") is not None
    assert forbidden("juwei.elections.count", "juwei.ballots.results") is not None
    assert forbidden("juwei.rules.charter", "juwei.errors") is None


@pytest.mark.parametrize("layer_name", ["rules", "elections", "ballots"])
def test_imports_point_down_only(layer_name: str) -> None:
    new = [
        f"{module}:{line} imports {imported}: {reason}"
        for module, imported, line, reason in FOUND
        if layer(module) == layer_name and (module, imported) not in ALLOWED
    ]
    assert new == []


def test_the_allowed_violations_only_shrink() -> None:
    still = {(module, imported) for module, imported, _, _ in FOUND}
    fixed = sorted(ALLOWED - still)
    assert fixed == [], f"no longer imported: remove {fixed} from ALLOWED"
