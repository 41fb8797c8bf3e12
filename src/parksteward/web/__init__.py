"""The web console: the landing page, and the park console built from npm packages (``frontend/``)."""
