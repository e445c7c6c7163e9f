"""Rich styles from the theme's semantic variables, for the Line-API widgets."""

from __future__ import annotations

from collections.abc import Iterable

from rich.segment import Segment
from rich.style import Style
from textual.app import App
from textual.cache import FIFOCache
from textual.color import Color, ColorParseError
from textual.filter import ANSIToTruecolor
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widget import Widget

# Strip's caches and their sizes, and its other attributes' defaults, read off an empty one:
# whatever this Textual version keeps on a line
_BLANK = Strip([], 0)
_CACHES = {name: value._maxsize for name in Strip.__slots__
           if isinstance(value := getattr(_BLANK, name, None), FIFOCache)}
_DEFAULTS = tuple((name, getattr(_BLANK, name)) for name in Strip.__slots__
                  if name not in _CACHES and name not in ("_segments", "_cell_length")
                  and hasattr(_BLANK, name))


def fitted(text: str, width: int) -> str:
    """``text`` in exactly ``width`` characters: padded, or cut with an ellipsis that says so (a
    size of 1,000,000 cut to 1,000,0 reads as another number)."""
    if len(text) <= width:
        return text.ljust(width)
    return text[: width - 1] + "…" if width > 0 else ""


class LeanStrip(Strip):
    """A painted line whose caches are made when first used, not with the line.

    A ``Strip`` makes seven caches as it is made: sixteen objects for the cycle collector
    to track, on top of the segments. The ladder, the tape and the tables make 700 lines a
    second in a storm, and those caches were most of what set off the collections that
    held the interpreter while a key waited. On the way a painted line goes (whole width,
    never divided or cropped) no cache is ever asked for.
    """

    __slots__ = ()

    def __init__(self, segments: Iterable[Segment], cell_length: int | None = None) -> None:
        self._segments = list(segments)
        self._cell_length = cell_length
        for name, value in _DEFAULTS:
            setattr(self, name, value)

    def __getattr__(self, name: str) -> FIFOCache[object, object]:
        size = _CACHES.get(name)
        if size is None:
            raise AttributeError(name)
        cache: FIFOCache[object, object] = FIFOCache(size)
        setattr(self, name, cache)
        return cache


class ThemeStyles:
    """Named styles (``bid``, ``loss``, ...) resolved once per theme."""

    def __init__(self) -> None:
        self._theme = ""
        self._styles: dict[str, Style] = {}
        self._vars: dict[str, str] = {}
        self._tables: dict[str, dict[str, Style]] = {}

    def sync(self, app: App[object]) -> bool:
        """Reload if the theme changed; True when it did (painted lines are stale)."""
        name = app.current_theme.name
        if name == self._theme:
            return False
        self._theme = name
        self._styles.clear()
        self._tables.clear()
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

    def table(self, over: str = "") -> dict[str, Style]:
        """Every named style, each with ``over`` added (the cursor row's background, say);
        built once per theme, for painters that look styles up many times a line."""
        cached = self._tables.get(over)
        if cached is None:
            styles = self._all()
            extra = styles[over] if over else None
            cached = {name: style + extra if extra is not None else style for name, style in styles.items()}
            self._tables[over] = cached
        return cached

    def get(self, name: str) -> Style:
        styles = self._all()
        return styles.get(name, styles["base"])

    def _all(self) -> dict[str, Style]:
        """The named styles of the current theme (built on first use after a theme change)."""
        if self._styles:
            return self._styles
        v = self._vars
        fg, bg = v.get("foreground", "#ffffff"), v.get("background", "#000000")
        muted = v.get("foreground-muted", fg)
        self._styles = {
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
        return self._styles


class FrameRepaints:
    """Panes' repaints asked for while a frame draws, for the frame to give the screen at its end.

    Textual's way from ``refresh()`` to the terminal is four turns of the loop: the widget
    prompts itself, on its turn tells the screen, the screen prompts itself and starts its
    update timer, which paints up to 1/60 s later: about 0.14 ms of the loop's time a turn on
    the 2-CPU machine class, for each pane a frame changes. While ``open`` (the frame is
    drawing), a ``PaintedByFrame`` widget (the ``DirectLines`` panes and the boxes around them)
    whose only need is a repaint is noted here instead, and the frame has the screen paint the
    lot when it is done (``TradingScreen.paint_now``).
    """

    def __init__(self) -> None:
        self.open = False
        self.widgets: set[Widget] = set()

    def take(self) -> set[Widget]:
        widgets, self.widgets = self.widgets, set()
        return widgets


FRAME_REPAINTS = FrameRepaints()


class PaintedByFrame(Widget):
    """A widget whose repaints, asked for while a frame draws, the frame has painted."""

    def check_idle(self) -> None:
        if (FRAME_REPAINTS.open and self._is_mounted and not self._next_callbacks
                and not (self._layout_required or self._scroll_required or self._recompose_required
                         or self._refresh_styles_required)):
            FRAME_REPAINTS.widgets.add(self)  # a repaint alone
            return
        super().check_idle()


class DirectLines(PaintedByFrame):
    """A Line-API widget whose every line is full width in ``ThemeStyles`` colours.

    Such lines need nothing from Textual's per-line styling (borders, padding, the
    background fill, opacity), which cost more than the painting itself: a full
    24-row ladder took 1.27 ms through it and 0.21 ms without (rows cached; 2.02
    vs 0.80 ms painting every row afresh). The app's line filters still apply
    (Monochrome under NO_COLOR); the ANSI-to-truecolour one is the identity for
    truecolour that is never dim, and is skipped. With a border, padding or
    transparency set on the widget, Textual's path is kept.
    """

    @property
    def content_size(self) -> Size:
        """``size``, from the size Textual keeps and the gutter: ``size`` asks the screen's map
        for the region each time (a walk up the tree; 4 us on the 2-CPU machine class against
        0.5), and a frame asks several times."""
        return self.outer_size - self.styles.gutter.totals

    def paint_lines(self, start: int, end: int) -> list[Strip]:
        """Lines ``start`` to ``end`` (exclusive), whole width; a widget may set up once here."""
        return [self.render_line(y) for y in range(start, end)]

    def render_lines(self, crop: Region) -> list[Strip]:
        styles = self.styles
        if (any(kind for kind, _ in styles.border) or any(kind for kind, _ in styles.outline)
                or any(styles.padding) or self.opacity < 1 or styles.text_opacity < 1 or styles.tint.a):
            return super().render_lines(crop)
        lines = self.paint_lines(crop.y, crop.bottom)
        filters = [f for f in self.get_line_filters() if not isinstance(f, ANSIToTruecolor)]
        if filters:
            background = self.background_colors[1]
            for f in filters:  # a strip keeps its filtered versions: a cached row pays once
                lines = [line.apply_filter(f, background) for line in lines]
        if crop.x or crop.right < self.size.width:
            lines = [line.crop(crop.x, crop.right) for line in lines]
        return lines
