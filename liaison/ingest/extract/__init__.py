"""Extraction of entities, places, dates and observables from report text."""
