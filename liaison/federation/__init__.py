"""Federation between sovereign Liaison instances: signed provenance, partners, sync."""
