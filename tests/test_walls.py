"""The package walls of shared/DESIGN.md, checked on every import statement."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "tui"

# package -> top-level modules (or tui subpackages) it must never import
FORBIDDEN = {
    "core": {"ibapi", "textual", "tui.ib", "tui.sim", "tui.widgets", "tui.screens", "tui.app",
             "rich"},
    "sim": {"ibapi", "textual", "tui.ib", "tui.widgets", "tui.screens", "tui.app"},
    "ib": {"textual", "tui.sim", "tui.widgets", "tui.screens", "tui.app"},
    "widgets": {"ibapi", "tui.sim", "tui.ib"},
    "screens": {"ibapi", "tui.sim", "tui.ib"},
}


def imports_of(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), str(path))
    found = []
    package = "tui." + ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                found.append(f"{base}.{node.module}" if node.module else base)
            elif node.module:
                found.append(node.module)
    return found


def crosses(name: str, banned: set[str]) -> bool:
    return any(name == b or name.startswith(b + ".") for b in banned)


def test_package_walls() -> None:
    broken = []
    for package, banned in FORBIDDEN.items():
        for path in sorted((ROOT / package).rglob("*.py")):
            for name in imports_of(path):
                if crosses(name, banned):
                    broken.append(f"{path.relative_to(ROOT.parent)} imports {name}")
    app = ROOT / "app.py"
    if app.exists():
        broken += [f"tui/app.py imports {n}" for n in imports_of(app)
                   if crosses(n, {"ibapi", "tui.sim"})]
    assert not broken, "\n".join(broken)


def test_the_wall_check_sees_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "x.py"
    bad.write_text("import ibapi.client\nfrom textual.app import App\n")
    assert crosses(imports_of_file(bad)[0], FORBIDDEN["sim"])


def imports_of_file(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    return [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
