"""Intelligence services: reading objects, and later correlation, resolution, watchlists."""
