"""Reads with rules for the customers app (filled by its issue)."""
