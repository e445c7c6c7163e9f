"""The synthetic market: instruments, depth books, historical bars."""
