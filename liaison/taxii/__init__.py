"""TAXII 2.1 server side: collections over audiences, their pages and envelopes added to them (the
routes are `api/taxii.py`). Federation's sync is a TAXII client; the two meet only in the store,
`ingest/received.py` and `stix/` (media types, signed provenance), never in each other."""

from liaison.stix.media import TAXII as MEDIA_TYPE

__all__ = ["MEDIA_TYPE"]
