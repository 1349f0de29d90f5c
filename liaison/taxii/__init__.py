"""TAXII 2.1: collections over audiences (server side) and the client used by federation."""

#: The TAXII 2.1 media type, of requests and answers alike.
MEDIA_TYPE = "application/taxii+json;version=2.1"
