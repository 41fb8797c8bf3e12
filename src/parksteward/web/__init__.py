"""The web console (for now, the landing page)."""
