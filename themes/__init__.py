"""Themes as data: one Textual theme per TOML file, shipped inside the package as tui.themes."""
