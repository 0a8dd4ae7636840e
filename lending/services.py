"""State changes for the lending app (filled by its issue)."""
