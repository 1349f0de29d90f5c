"""Sources into STIX: bundles (and later MISP events, reports, CSV)."""
