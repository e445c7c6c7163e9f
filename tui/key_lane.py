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

A key that only sends or cancels orders need not wait for the loop at all: the
driver's thread runs it there and then, inside the desk's gate
(``tui.core.gate``: the loop opens it while it waits or paints, neither of which
touches the desk, and between the steps of a frame or two turns of the loop when
a key is waiting). That is the ``direct`` path: at 25k msg/s ``ibtui bench``
took 88 of 89 presses that way and key-to-wire p99 fell from 2.9-4.8 ms to
2.7 ms, the second-slowest press from about 3 ms to 1.0-1.3 ms. It is taken
only when every key read before has already run on the loop (so keys keep
their order: ``o`` then ``b`` never buys before the ticket opens), with the
trading screen alone on the stack and the ladder focused, and when the app says
the action may run so (an order that asks first does not: its question needs
the loop).
"""

from __future__ import annotations

import asyncio
import inspect
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual import events
from textual._context import active_app, active_message_pump

from tui.core.gate import DeskGate
from tui.core.priority import UI

if TYPE_CHECKING:
    from textual.app import App
    from textual.dom import DOMNode
    from textual.driver import Driver

# seconds a key read while the loop works waits for it to paint or wait, to run then on the driver's
# thread (the loop's next such moment is usually within a frame); past this it goes to the loop
DIRECT_WAIT = 0.05

Target = tuple[Callable[..., Any], tuple[object, ...], str]  # the method, its arguments, the action name


class KeyLane:
    """Resolves keys to the app's actions (cached per focused widget) and runs them."""

    def __init__(self, app: App[Any], lane_for: Callable[[DOMNode | None], bool],
                 gate: DeskGate | None = None, direct: Callable[[str], bool] = lambda name: False) -> None:
        self.app = app
        self.lane_for = lane_for  # may keys run directly while this widget has focus?
        self.gate = gate  # the desk's (``tui.core.gate``)
        self.direct_for = direct  # may this action run on the driver's thread? (read there)
        self._cache: dict[tuple[DOMNode | None, str], Target | None] = {}
        self._thread = threading.get_ident()
        self.taken = 0  # keys that ran directly (tests and the bench read it)
        self.handed = 0  # keys handed to the loop (written by the driver's thread alone)
        self.arrived = 0  # of those, keys the loop has taken in (written by the loop alone)
        self.direct = 0  # keys run on the driver's thread (the bench reads it)

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
        target = self._focused_target(event.key)
        if target is None:
            return False
        method, params, name = target
        if not app.check_action(name, params):
            return False
        if not app.app_focus:
            app.app_focus = True
        self._call(method, params, app._handle_exception)  # the loop's thread: report at once
        self.taken += 1
        return True

    def run_direct(self, event: events.Key, loop: asyncio.AbstractEventLoop) -> bool:
        """On the driver's thread: run ``event``'s order now if it may (see the module), waiting
        up to ``DIRECT_WAIT`` for the gate; False hands it to the loop."""
        gate = self.gate
        if gate is None or self.handed != self.arrived or not gate.enter(DIRECT_WAIT):
            return False
        try:
            # inside the gate the loop paints or waits: the screens, focus and bindings hold still
            app = self.app
            try:
                if len(app.screen_stack) != 1 or not app.app_focus:
                    return False
                target = self._focused_target(event.key)
                if target is None:
                    return False
                method, params, name = target
                if not self.direct_for(name) or not app.check_action(name, params):
                    return False
            except Exception:  # anything odd: the loop's way, where Textual reports it
                return False
            # a failure is reported on the loop's own thread, as Textual reports one
            self._call(method, params, lambda error: loop.call_soon_threadsafe(app._handle_exception, error))
            self.direct += 1
            return True
        finally:
            gate.leave()

    def _focused_target(self, key: str) -> Target | None:
        """The app's action ``key`` runs now, if the focused widget lets keys run here (resolved
        once per widget and key, and kept)."""
        focused = self.app.focused
        if not self.lane_for(focused):
            return None
        cache_key = (focused, key)
        try:
            return self._cache[cache_key]
        except KeyError:
            target = self._cache[cache_key] = self._resolve(key)
            return target

    def _call(self, method: Callable[..., object], params: tuple[object, ...],
              failed: Callable[[Exception], object]) -> None:
        """Run an action as inside Textual's own dispatch: widgets it makes (a modal's compose)
        find the app through these context variables, whichever thread the key came on. A
        failure goes to ``failed``, never swallowed."""
        app = self.app
        app_token, pump_token = active_app.set(app), active_message_pump.set(app)
        try:
            method(*params)
        except Exception as error:
            failed(error)
        finally:
            active_message_pump.reset(pump_token)
            active_app.reset(app_token)

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
                hand_over(self._loop, self._app.post_message, message, getattr(self._app, "key_lane", None))
            else:
                super().send_message(message)

    KeysFirst.__name__ = KeysFirst.__qualname__ = f"KeysFirst{driver.__name__}"
    return KeysFirst


def hand_over(loop: asyncio.AbstractEventLoop, post: Callable[[events.Key], Any], key: events.Key,
              lane: KeyLane | None = None) -> None:
    """From the thread that read ``key``: market-data decoding steps aside (``tui.core.priority``), and the
    key runs here if it may (``KeyLane.run_direct``), else goes to the loop as one callback."""
    UI.claim()
    if lane is not None:
        try:
            ran = lane.run_direct(key, loop)
        except BaseException:
            UI.release()
            raise
        if ran:
            UI.release()
            return
        lane.handed += 1
        key.handed_to = lane  # type: ignore[attr-defined]  # the loop counts it in (``arrived``)
    key.claimed_priority = True  # type: ignore[attr-defined]  # released once it has run
    loop.call_soon_threadsafe(post, key)
