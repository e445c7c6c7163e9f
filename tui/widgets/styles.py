"""Rich styles from the theme's semantic variables, for the Line-API widgets."""

from __future__ import annotations

from rich.style import Style
from textual.app import App
from textual.color import Color, ColorParseError


class ThemeStyles:
    """Named styles (``bid``, ``loss``, ...) resolved once per theme."""

    def __init__(self) -> None:
        self._theme = ""
        self._styles: dict[str, Style] = {}
        self._vars: dict[str, str] = {}

    def sync(self, app: App[object]) -> bool:
        """Reload if the theme changed; True when it did (painted lines are stale)."""
        name = app.current_theme.name
        if name == self._theme:
            return False
        self._theme = name
        self._styles.clear()
        raw = app.theme_variables
        base = Color.parse(raw.get("background", "#000000"))
        self._vars = {}
        for key, value in raw.items():
            try:
                # theme colours may carry alpha; Rich wants them composited onto the background
                self._vars[key] = (base + Color.parse(value)).hex
            except (ColorParseError, TypeError):
                continue
        return True

    def get(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is not None:
            return style
        v = self._vars
        fg, bg = v.get("foreground", "#ffffff"), v.get("background", "#000000")
        muted = v.get("foreground-muted", fg)
        table = {
            "": Style(color=fg, bgcolor=bg),
            "base": Style(color=fg, bgcolor=bg),
            "dim": Style(color=muted, bgcolor=bg),
            "header": Style(color=fg, bgcolor=v.get("panel", bg), bold=True),
            "title": Style(color=muted, bgcolor=bg, underline=True),
            "cursor": Style(bgcolor=v.get("cursor-row", bg)),
            "bid": Style(color=v.get("bid"), bgcolor=bg),
            "ask": Style(color=v.get("ask"), bgcolor=bg),
            "bid_bar": Style(color=v.get("bid"), bgcolor=v.get("depth-bid")),
            "ask_bar": Style(color=v.get("ask"), bgcolor=v.get("depth-ask")),
            "best_bid": Style(color=v.get("bid"), bgcolor=bg, bold=True),
            "best_ask": Style(color=v.get("ask"), bgcolor=bg, bold=True),
            "order": Style(color=v.get("working-order"), bgcolor=bg, bold=True),
            "last": Style(color=v.get("last-trade"), bgcolor=v.get("last-trade-bg"), bold=True),
            "avg": Style(color=v.get("avg-entry"), bgcolor=bg, bold=True),
            "profit": Style(color=v.get("profit"), bgcolor=bg),
            "loss": Style(color=v.get("loss"), bgcolor=bg),
            "stale": Style(color=v.get("stale"), bgcolor=bg),
            "live": Style(color=v.get("live-warning"), bgcolor=bg, bold=True),
        }
        style = table.get(name, table["base"])
        self._styles[name] = style
        return style
