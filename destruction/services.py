"""State changes for the destruction app (filled by its issue)."""
