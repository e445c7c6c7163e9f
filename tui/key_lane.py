"""The key lane: on the trading screen a key runs its action the moment it arrives.

Textual delivers a key through two message queues (the app's, then the focused
widget's, the binding chain walked and the action string parsed on the way), and
under load each hop can wait behind a frame. ``ibtui bench`` prints the cost as
its "press -> action" stage: about 1.1 ms that way here at 10k msg/s, 0.12 ms
through the lane. The lane resolves each key once, exactly as Textual's
binding lookup would (priority bindings from the app down, then the focused
widget up to the app), and when that binding is one of the app's own synchronous
actions it calls it directly, in the order keys arrive. Anything else (a modal
screen, a table with focus and its own keys, an unbound key, an async action)
goes Textual's way unchanged, so the lane changes when a key runs, never what
it does.
"""

from __future__ import annotations

import asyncio
import inspect
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual import events
from textual._context import active_app, active_message_pump

from tui.core.priority import UI

if TYPE_CHECKING:
    from textual.app import App
    from textual.dom import DOMNode
    from textual.driver import Driver

Target = tuple[Callable[..., Any], tuple[object, ...], str]  # the method, its arguments, the action name


class KeyLane:
    """Resolves keys to the app's actions (cached per focused widget) and runs them."""

    def __init__(self, app: App[Any], lane_for: Callable[[DOMNode | None], bool]) -> None:
        self.app = app
        self.lane_for = lane_for  # may keys run directly while this widget has focus?
        self._cache: dict[tuple[DOMNode | None, str], Target | None] = {}
        self._thread = threading.get_ident()
        self.taken = 0  # keys that ran directly (tests and the bench read it)

    def bind_thread(self) -> None:
        """The loop's thread: keys posted from any other run Textual's way."""
        self._thread = threading.get_ident()

    def forget(self) -> None:
        """Bindings changed (a keymap): resolve again."""
        self._cache.clear()

    def take(self, event: events.Key) -> bool:
        """Run ``event``'s action now if it is the app's own; False leaves the key to Textual."""
        app = self.app
        if threading.get_ident() != self._thread or len(app.screen_stack) != 1:
            return False
        focused = app.focused
        if not self.lane_for(focused):
            return False
        cache_key = (focused, event.key)
        try:
            target = self._cache[cache_key]
        except KeyError:
            target = self._cache[cache_key] = self._resolve(event.key)
        if target is None:
            return False
        method, params, name = target
        if not app.check_action(name, params):
            return False
        if not app.app_focus:
            app.app_focus = True
        # as inside Textual's own dispatch: widgets made by the action (a modal's compose) find
        # the app through these, and a key may arrive as a bare callback from the driver thread
        app_token, pump_token = active_app.set(app), active_message_pump.set(app)
        try:
            method(*params)
        except Exception as error:  # as Textual would: the app's own failure path, never swallowed
            app._handle_exception(error)
        finally:
            active_message_pump.reset(pump_token)
            active_app.reset(app_token)
        self.taken += 1
        return True

    def _resolve(self, key: str) -> Target | None:
        """The binding Textual would run first for ``key``; a target only if it is the app's."""
        screen = self.app.screen
        for chain, priority in ((list(reversed(screen._binding_chain)), True),
                                (screen._modal_binding_chain, False)):
            for namespace, bindings in chain:
                for binding in bindings.key_to_bindings.get(key, ()):
                    if binding.priority == priority:
                        return self._target(namespace, binding.action)
        return None

    def _target(self, namespace: DOMNode, action: str) -> Target | None:
        app = self.app
        try:
            target, name, params = app._parse_action(action, namespace)
        except Exception:
            return None
        if target is not app:
            return None
        method = getattr(app, f"_action_{name}", None)
        if not callable(method):
            method = getattr(app, f"action_{name}", None)
        if not callable(method) or inspect.iscoroutinefunction(method):
            return None
        try:
            inspect.signature(method).bind(*params)
        except TypeError:
            return None  # Textual trims extra arguments; leave such bindings to it
        return method, tuple(params), name


def keys_first(driver: type[Driver]) -> type[Driver]:
    """``driver`` handing keys to the loop as plain callbacks.

    Textual's driver thread posts every input event as a coroutine run on the
    loop (a task and a future each); a key instead becomes one callback, in the
    order keys arrive, a loop iteration sooner, and decoding steps aside for it.
    """

    class KeysFirst(driver):  # type: ignore[valid-type,misc]
        def send_message(self, message: Any) -> None:
            if type(message) is events.Key:
                hand_over(self._loop, self._app.post_message, message)
            else:
                super().send_message(message)

    KeysFirst.__name__ = KeysFirst.__qualname__ = f"KeysFirst{driver.__name__}"
    return KeysFirst


def hand_over(loop: asyncio.AbstractEventLoop, post: Callable[[events.Key], Any], key: events.Key) -> None:
    """From the thread that read ``key``: market-data decoding steps aside (``tui.core.priority``) and the
    key goes to the loop as one callback."""
    UI.claim()
    key.claimed_priority = True  # type: ignore[attr-defined]  # released once it has run
    loop.call_soon_threadsafe(post, key)
