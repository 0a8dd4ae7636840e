"""Reads with rules for the lending app (filled by its issue)."""
