"""Federation between sovereign Liaison instances: the partner registry and sync over TAXII 2.1.

It shares no code with the TAXII server (`taxii/`, `api/taxii.py`): both read collections through
`store/collections.py`, screen what arrives with `ingest/received.py`, and sign with
`stix/provenance.py` and this instance's key (`store/provenance.py`)."""
