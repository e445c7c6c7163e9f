"""Textual widgets: they draw plain state and post intent messages; none knows IB."""
