"""HTTP adapters: the REST API (and later TAXII and the live stream)."""
