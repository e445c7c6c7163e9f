"""The IB client layer: the only package that imports ``ibapi``."""
