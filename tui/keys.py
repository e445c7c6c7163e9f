"""Every key of the app: one Binding each, with an id the config's [keymap] can rebind."""

from __future__ import annotations

import difflib

from textual.app import App
from textual.binding import Binding
from textual.keys import Keys, _character_to_key

B = Binding

BINDINGS: list[Binding] = [
    # the ladder
    B("up,k", "cursor(1)", "Tick up", show=False, id="cursor_up"),
    B("down,j", "cursor(-1)", "Tick down", show=False, id="cursor_down"),
    B("pageup", "page(1)", "Page up", show=False, id="page_up"),
    B("pagedown", "page(-1)", "Page down", show=False, id="page_down"),
    B("space", "recenter", "Centre", id="recenter"),
    B("h", "toggle_hold", "Hold", show=False, id="hold"),
    B("d", "clear_trades", "Clear the trades column", show=False, id="clear_trades"),
    # orders at the cursor
    B("b", "order('BUY', 'LMT')", "Buy lmt", id="buy_limit"),
    B("s", "order('SELL', 'LMT')", "Sell lmt", id="sell_limit"),
    B("B", "order('BUY', 'MKT')", "Buy mkt", show=False, id="buy_market"),
    B("S", "order('SELL', 'MKT')", "Sell mkt", show=False, id="sell_market"),
    B("t", "order('BUY', 'STP')", "Buy stop", show=False, id="buy_stop"),
    B("T", "order('SELL', 'STP')", "Sell stop", show=False, id="sell_stop"),
    B("l", "order('BUY', 'STP LMT')", "Buy stop-limit", show=False, id="buy_stop_limit"),
    B("L", "order('SELL', 'STP LMT')", "Sell stop-limit", show=False, id="sell_stop_limit"),
    B("r", "trail('SELL')", "Sell trailing stop", show=False, id="sell_trailing_stop"),
    B("R", "trail('BUY')", "Buy trailing stop", show=False, id="buy_trailing_stop"),
    B("u", "trail('SELL', True)", "Sell trailing stop-limit", show=False, id="sell_trailing_stop_limit"),
    B("U", "trail('BUY', True)", "Buy trailing stop-limit", show=False, id="buy_trailing_stop_limit"),
    B("g", "chase('BUY')", "Buy, chasing the bid", show=False, id="buy_chase"),
    B("G", "chase('SELL')", "Sell, chasing the offer", show=False, id="sell_chase"),
    B("e", "bracket('BUY')", "Buy bracket", show=False, id="buy_bracket"),
    B("E", "bracket('SELL')", "Sell bracket", show=False, id="sell_bracket"),
    # working orders
    B("v", "select_orders", "Select orders at cursor", show=False, id="select_orders"),
    B("right_square_bracket", "move_orders(1)", "Move orders up a tick", show=False, id="move_up"),
    B("left_square_bracket", "move_orders(-1)", "Move orders down a tick", show=False, id="move_down"),
    B("m", "move_to_cursor", "Move orders to cursor", show=False, id="move_to_cursor"),
    B("c", "cancel_here", "Cancel", id="cancel_here"),
    B("x", "cancel_instrument", "Cancel instrument", show=False, id="cancel_instrument"),
    B("X", "cancel_all", "Cancel ALL", show=False, id="cancel_all"),
    B("f", "flatten", "Flatten", id="flatten"),
    B("F", "reverse", "Reverse the position", show=False, id="reverse"),
    B("K", "kill_switch", "Kill switch", show=False, id="kill_switch"),
    # quantity
    B("plus,equals_sign", "quantity(1)", "Qty +", show=False, id="quantity_up"),
    B("minus", "quantity(-1)", "Qty -", show=False, id="quantity_down"),
    *[B(str(i), f"preset({i})", f"Qty preset {i}", show=False, id=f"preset_{i}") for i in range(1, 10)],
    # everything else
    B("o", "ticket", "Ticket", id="ticket"),
    B("slash", "search", "Search", id="search"),
    B("delete", "remove_symbol", "Remove from watchlist", show=False, id="remove_symbol"),
    B("tab", "cycle_panes", "Next pane", show=False, id="cycle_panes", priority=True),
    B("w", "toggle_working", "Orders: working only / all", show=False, id="working_only"),
    B("z", "zoom", "Zoom the focused pane (every column); again to restore", show=False, id="zoom"),
    B("i", "toggle_stats", "Stats", show=False, id="stats"),
    B("question_mark", "help", "Help", id="help"),
    B("q", "quit_app", "Quit", id="quit"),
]

# the modal screens' keys, rebindable the same way (ids "screen.what")
CONFIRM_BINDINGS = [B("y,enter", "answer(True)", "Yes", id="confirm.yes"),
                    B("n,escape", "answer(False)", "No", id="confirm.no")]
HELP_BINDINGS = [B("escape,q,question_mark", "app.pop_screen", "Close", id="help.close")]
HISTORY_BINDINGS = [B("escape,q,enter", "app.pop_screen", "Close", id="history.close")]
SEARCH_BINDINGS = [B("escape", "dismiss(None)", "Close", id="search.close"),
                   B("down", "focus_results", "Results", show=False, id="search.results")]
TICKET_BINDINGS = [B("escape", "dismiss(None)", "Cancel", id="ticket.cancel"),
                   B("ctrl+s", "send", "Send", id="ticket.send")]
MODAL_BINDINGS = [*CONFIRM_BINDINGS, *HELP_BINDINGS, *HISTORY_BINDINGS, *SEARCH_BINDINGS, *TICKET_BINDINGS]
MODAL_BINDING_IDS = frozenset(b.id for b in MODAL_BINDINGS if b.id)

# the keys of one screen: a key may do one thing on each
SCOPES = {"the trading screen": BINDINGS, "the confirmation": CONFIRM_BINDINGS, "help": HELP_BINDINGS,
          "an order's history": HISTORY_BINDINGS, "the symbol search": SEARCH_BINDINGS,
          "the order ticket": TICKET_BINDINGS}
# Textual's own keys on every screen: quit, copy or quit, the command palette
RESERVED = {"ctrl+q": "quit (Textual's)", "ctrl+c": "copy or quit (Textual's)",
            App.COMMAND_PALETTE_BINDING: "the command palette"}


# what Textual's driver can report: modifiers (in any order) and a key's own name
MODIFIERS = ("ctrl", "shift", "alt", "meta", "super", "hyper")
NAMED_KEYS = frozenset(
    {k.value.rpartition("+")[2] for k in Keys if not k.value.startswith("<")}
    | {_character_to_key(chr(c)) for c in range(32, 127)}
)


def key_name_problem(key: str) -> str | None:
    """Why Textual would never report ``key`` (one key of a binding as written), or None: a
    misspelt name (``ctlr+b``, ``pgup``) is no error to Textual, the key just never fires, so
    the trader would find out only when pressing it."""
    if len(key) == 1:
        return None
    if key.endswith("+"):
        return f"{key!r}: + is written plus ({key[:-1] + 'plus'!r})"
    *mods, base = key.split("+")
    for i, m in enumerate(mods):
        if m not in MODIFIERS:
            return f"{key!r}: {m} is not a modifier ({', '.join(MODIFIERS)})"
        if m in mods[:i]:
            return f"{key!r}: {m} is given twice"
    if len(base) == 1:
        if mods and base.isalpha() and base.isupper():
            return f"{key!r}: after a modifier a letter is written in lower case ({key.lower()!r})"
        return None
    if base in NAMED_KEYS:
        return None
    near = [base.lower()] if base.lower() in NAMED_KEYS else difflib.get_close_matches(
        base, [k for k in NAMED_KEYS if len(k) > 1], n=1)
    hint = f"did you mean {'+'.join([*mods, near[0]])!r}? " if near else ""
    return f"{key!r} is not a key Textual knows ({hint}names such as b, ctrl+b, f5, pageup, plus)"


def _written_keys(keys: str) -> list[str]:
    """``"?, ctrl+b"`` as written, one key each: ``["?", "ctrl+b"]``."""
    return [k.strip() for k in keys.split(",")]


def _key_names(keys: str) -> list[str]:
    """``"?,ctrl+b"`` as Textual matches it: ``["question_mark", "ctrl+b"]``."""
    return [_character_to_key(k) if len(k) == 1 else k for k in _written_keys(keys)]


def keymap_problem(keymap: dict[str, str]) -> str | None:
    """What is wrong with a ``[keymap]`` table, in one line naming the binding id, or None.

    A key left on two bindings of one screen would run whichever Textual finds first (``s``
    rebound to buy_limit while sell_limit keeps it: the trader sells and buys), so that is
    refused, as are unknown ids, empty keys and Textual's own keys."""
    known = [b.id for bs in SCOPES.values() for b in bs if b.id]
    for binding_id, keys in keymap.items():
        if binding_id not in known:
            near = difflib.get_close_matches(binding_id, known, n=1)
            hint = f"did you mean {near[0]}? " if near else ""
            return f"keymap.{binding_id}: unknown binding id ({hint}the ids are in ?)"
        if not all(_key_names(keys)):
            return f"keymap.{binding_id}: expected keys such as \"b\" or \"ctrl+b,f5\", got {keys!r}"
        for written in _written_keys(keys):
            if (why := key_name_problem(written)) is not None:
                return f"keymap.{binding_id}: {why}"
        for key in _key_names(keys):
            if key in RESERVED:
                return f"keymap.{binding_id}: {key} is {RESERVED[key]}; choose another key"
    for scope, bindings in SCOPES.items():
        holder: dict[str, str] = {}
        for b in bindings:
            for key in _key_names(keymap.get(b.id or "", b.key)):
                other = holder.setdefault(key, b.id or "")
                if other != b.id:
                    first, second = sorted((other, b.id or ""), key=lambda i: i not in keymap)
                    return (f"keymap.{first}: {key} is also {second} on {scope}; "
                            f"give {second} another key too")
    return None


def help_rows(bindings: list[Binding], keymap: dict[str, str]) -> list[tuple[str, str, str]]:
    """(keys, what it does, binding id) per binding, with the keymap's keys where it rebinds."""
    rows = []
    for b in bindings:
        keys = keymap.get(b.id or "", b.key)
        rows.append((keys.replace("_", " "), b.description, b.id or ""))
    return rows
