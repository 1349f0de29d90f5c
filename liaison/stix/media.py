"""The media types of STIX 2.1 content and of TAXII 2.1 requests and answers, in one place: the
TAXII server (`api/taxii.py`) answers in them and the sync client (`federation/sync.py`) asks for
them, and neither imports the other."""

#: A STIX 2.1 object or bundle.
STIX = "application/stix+json;version=2.1"
#: The TAXII 2.1 media type, of requests and answers alike.
TAXII = "application/taxii+json;version=2.1"
