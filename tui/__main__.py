"""``python -m tui``: the same as the ``ibtui`` command."""

from __future__ import annotations

from tui.cli import main

raise SystemExit(main())
