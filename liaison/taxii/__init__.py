"""TAXII 2.1: collections over audiences (server side) and the client used by federation."""
