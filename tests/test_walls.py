"""The package walls of shared/DESIGN.md: import-linter's contracts in pyproject.toml hold."""

from __future__ import annotations

from pathlib import Path

from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parent.parent


def test_the_contracts_in_pyproject_hold() -> None:
    assert lint_imports(str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True) == 0


def test_a_broken_wall_is_reported(tmp_path: Path) -> None:
    # the app does import the core: a contract forbidding it must fail, or the check proves nothing
    config = tmp_path / "contracts.ini"
    config.write_text("[importlinter]\nroot_package = tui\n\n"
                      "[importlinter:contract:1]\nname = made to break\ntype = forbidden\n"
                      "source_modules = tui.app\nforbidden_modules = tui.core\n")
    assert lint_imports(str(config), no_cache=True, no_logo=True) == 1
