"""State changes for the customers app (filled by its issue)."""
