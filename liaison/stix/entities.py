"""The STIX types that name an entity (a person, an organisation, a group, a place): what name
resolution indexes, and what a hit query about an entity matches by id at partner instances."""

NAMED_TYPES = ("identity", "threat-actor", "intrusion-set", "location")
