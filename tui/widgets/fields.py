"""A text field whose keys take effect in the order they were typed.

Textual's ``Input`` inserts a printable key when the key reaches it, but runs an editing
key (backspace, delete, ctrl+u, left, home, enter...) only once that key has bubbled
back up to the app, through two more message queues. Keys that arrive together (a fast
typist, key repeat, or any keys read while the loop was busy painting a frame) are all
queued at the field first, so the characters typed after an editing key were inserted
before it ran: "6000.7", backspace, "5" became "6000.75" and then "6000.7". Worse, by the
time the key reached the app the focus could have moved on (a tab typed after it), and the
editing key then ran on the next field. Here the field runs its own bindings the moment
the key reaches it, in order, on itself.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Input


class Field(Input):
    """``Input``, with its own editing keys applied in the order they were typed."""

    async def _on_key(self, event: events.Key) -> None:
        if event.is_printable:
            return  # Input's own handler, which Textual calls next, inserts it
        for binding in self._bindings.key_to_bindings.get(event.key, ()):
            if not binding.priority and await self.app.run_action(binding.action, self):
                event.stop()  # it must not bubble up to the app and run a second time
                await super()._on_key(event)  # Input's: the cursor's blink restarts
                event.prevent_default()  # and no handler of the classes below runs again
                return
