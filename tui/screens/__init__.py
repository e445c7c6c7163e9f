"""Modal screens: confirmation, help, the order ticket, symbol search."""
