"""Load the themes shipped in ``tui.themes`` (the repository's ``themes/``) as Textual themes."""

from __future__ import annotations

import tomllib
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from textual.theme import Theme

# every semantic variable the stylesheet and the ladder read, with dark defaults so
# that Textual's built-in themes stay usable
SEMANTIC_DEFAULTS = {
    "bid": "#4FA3F7", "ask": "#F26B6B", "depth-bid": "#173A5E", "depth-ask": "#5E1F24",
    "profit": "#4EC276", "loss": "#F26B6B", "working-order": "#F2C94C", "last-trade": "#FFFFFF",
    "last-trade-bg": "#3B4252", "avg-entry": "#C792EA", "cursor-row": "#2E3A55",
    "live-warning": "#FF3B3B", "paper": "#4EC276", "stale": "#E8B94C",
}
_THEME_KEYS = {"name", "primary", "secondary", "warning", "error", "success", "accent",
               "foreground", "background", "surface", "panel", "boost", "dark", "variables"}


class ThemeError(ValueError):
    """A theme file that cannot be used, with the reason."""

    pass


def theme_from_toml(text: str, source: str) -> Theme:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ThemeError(f"{source}: not valid TOML: {e}") from None
    unknown = set(data) - _THEME_KEYS
    if unknown:
        raise ThemeError(f"{source}: unknown keys {', '.join(sorted(unknown))}")
    if "name" not in data or "primary" not in data:
        raise ThemeError(f"{source}: a theme needs at least name and primary")
    variables = {**SEMANTIC_DEFAULTS, **data.pop("variables", {})}
    return Theme(variables=variables, **data)


def _theme_files() -> list[Traversable]:
    try:
        root: Traversable = resources.files("tui.themes")
    except (ModuleNotFoundError, TypeError):
        # running from a source tree that was not installed: the repository's themes/
        root = Path(__file__).resolve().parent.parent / "themes"
    return sorted((p for p in root.iterdir() if p.name.endswith(".toml")), key=lambda p: p.name)


def shipped_themes() -> list[Theme]:
    return [theme_from_toml(item.read_text(), item.name) for item in _theme_files()]
