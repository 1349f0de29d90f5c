"""An event of a draft in words, with names the caller chooses: the review shows the names its
reader sees of linked objects, publishing writes the draft's own words, so that another
organisation's name for an object (a version the audience may not see) never travels into the
publisher's objects."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from liaison.ingest.extract import events

if TYPE_CHECKING:
    from liaison.intel.draft_review import SeenEvent

_NOUN = {
    events.DRUG_SEIZURE: "Seizure",
    events.ARREST: "Arrest",
    events.DETENTION: "Detention",
    events.ESCAPE: "Escape",
    events.POSITION: "Position",
}


def in_words(event: SeenEvent, name: Callable[[str | None], str | None]) -> str:
    """'Seizure of 212 kg of heroin near Panj river crossing, Khatlon, on 2025-03-11 by Border
    troops; suspects: Ali Karimov, Daler Nazarov'. `name` gives a finding key's name, or None for
    a finding left out."""

    def names(*roles: str) -> str:
        return ", ".join(n for p in event.participants if p.role in roles and (n := name(p.key)))

    place, direction = name(event.place), name(event.direction)
    if event.kind == events.POSITION:
        holder, employer = names(events.HOLDER), names(events.EMPLOYER)
        rank = f" ({event.rank})" if event.rank else ""
        return f"{holder}{rank}: {event.role or 'position'} of {employer}"
    words = _NOUN[event.kind]
    if event.kind == events.DRUG_SEIZURE:
        about = "about " if event.approximate else ""
        words += f" of {about}{event.quantity:g} {event.unit} of {event.substance_text or event.substance}"
    else:
        words += f" of {names(events.ARRESTED, events.ESCAPED)}"
    if event.kind == events.ESCAPE and direction:
        words += f" towards {direction}"
    if event.site and place:  # the place in apposition: 'near the crossing, Khatlon, on …'
        words += f" near {event.site}, {place}" + ("," if event.date is not None else "")
    elif event.site:
        words += f" near {event.site}"
    elif place:
        words += f" in {place}"
    if event.date is not None:
        words += f" on {event.date.value}"
    if agency := names(events.AGENCY):
        words += f" by {agency}"
    if event.kind == events.DRUG_SEIZURE and (suspects := names(events.SUSPECT)):
        words += f"; suspects: {suspects}"
    return words
