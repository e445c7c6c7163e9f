"""The domain model: pure Python, standard library only (no ibapi, no textual)."""
