"""Words written with people's names (hand-written): titles and roles before or after them, particles
within them."""

from __future__ import annotations

_PORTFOLIOS = (
    "interior",
    "foreign",
    "foreign affairs",
    "defence",
    "defense",
    "justice",
    "finance",
    "home",
    "health",
    "economy",
    "energy",
    "trade",
    "information",
    "culture",
    "education",
    "transport",
    "agriculture",
    "refugees",
    "security",
    "state security",
    "internal affairs",
    "emergency situations",
    "intelligence",
    "counter-narcotics",
    "counter narcotics",
    "border affairs",
    "tribal affairs",
    "commerce",
    "industry",
    "mines and petroleum",
    "water and energy",
    "hajj and religious affairs",
    "labour",
    "labor",
)
_TITLES = """
president|vice president|vice-president|president-elect|prime minister|deputy prime minister|chancellor|
minister|state minister|minister of state|secretary|secretary-general|secretary general|under-secretary|
undersecretary|under secretary|permanent secretary|foreign secretary|home secretary|defence secretary|
defense secretary|secretary of state|press secretary|national security adviser|national security advisor|
security adviser|security advisor|adviser|advisor|special envoy|envoy|ambassador|special representative|
representative|consul|consul general|consul-general|charge d'affaires|chargé d'affaires|governor|
deputy governor|provincial governor|district governor|lieutenant governor|mayor|deputy mayor|police chief|
chief of police|police commissioner|commissioner|police spokesman|police spokeswoman|spokesman|
spokeswoman|spokesperson|chairman|chairwoman|chairperson|director|director general|director-general|
executive director|head|chief|leader|commander|chief of staff|army chief|general|gen.|gen|
lieutenant general|lt. gen.|lt gen|lt.-gen.|major general|maj. gen.|maj gen|maj.-gen.|brigadier general|
brig. gen.|brig gen|brigadier|brig.|colonel|col.|col|lieutenant colonel|lt. col.|lt col|lt.-col.|major|
maj.|captain|capt.|lieutenant|lt.|sergeant|sgt.|admiral|adm.|vice admiral|rear admiral|marshal|
field marshal|air marshal|cmdr.|senator|sen.|congressman|congresswoman|lawmaker|judge|chief justice|
prosecutor|prosecutor general|prosecutor-general|attorney general|attorney-general|king|queen|prince|
princess|crown prince|emir|sheikh|sheik|shaikh|sheikha|mullah|mawlawi|maulvi|maulana|mufti|imam|
ayatollah|grand ayatollah|cleric|patriarch|mr|mr.|mrs|mrs.|ms|ms.|miss|dr|dr.|prof.|professor|sir|dame|
analyst|researcher|expert|journalist|reporter|correspondent|lawyer|attorney|official|officer|agent|
detective|inspector|chief inspector|superintendent|chief superintendent|founder|co-founder|warlord|
kingpin|drug lord|ombudsman|diplomat|economist|scholar|activist|coordinator|administrator|delegate|
counterpart|negotiator|aide|manager|supervisor|organiser|organizer|citizen|chief executive|
chief executive officer|ceo|chief operating officer|owner|accountant|trafficker|drug trafficker|smuggler|
businessman|businesswoman|financier|hacker|broker|courier|fugitive|militant|
"""
_PORTFOLIO_TITLES = tuple(form for p in _PORTFOLIOS for form in (f"{p} minister", f"minister of {p}", f"{p} secretary"))

#: Titles (lower-case, longest first, so that a regex alternation prefers 'interior minister' to 'minister').
TITLES = tuple(
    sorted({t.strip() for t in _TITLES.split("|") if t.strip()} | set(_PORTFOLIO_TITLES), key=lambda t: (-len(t), t))
)

#: Words that may precede a title and belong to the role ('Deputy Foreign Minister').
ROLE_MODIFIERS = ("deputy", "acting", "interim", "vice", "first", "senior", "chief", "top", "assistant")
#: Words that may precede a title without being part of the role ('former President').
ROLE_QUALIFIERS = ("former", "then", "late", "outgoing", "incoming", "retired")

#: Honorifics: they mark a person but are no role.
HONORIFICS = frozenset({"mr", "mr.", "mrs", "mrs.", "ms", "ms.", "miss", "dr", "dr.", "sir", "dame"})
_ABBREVIATIONS = {
    "gen.": "General",
    "gen": "General",
    "lt.": "Lieutenant",
    "lt": "Lieutenant",
    "col.": "Colonel",
    "col": "Colonel",
    "maj.": "Major",
    "maj": "Major",
    "brig.": "Brigadier",
    "brig": "Brigadier",
    "capt.": "Captain",
    "sgt.": "Sergeant",
    "adm.": "Admiral",
    "cmdr.": "Commander",
    "sen.": "Senator",
    "prof.": "Professor",
    "lt.-gen.": "Lieutenant General",
    "maj.-gen.": "Major General",
    "lt.-col.": "Lieutenant Colonel",
}
_LOWER_WORDS = frozenset({"of", "the", "and", "for", "on", "d'affaires"})


def role_name(title: str) -> str | None:
    """The role a title names, capitalised ('national security adviser' -> 'National Security Adviser');
    None for honorifics ('Mr')."""
    words = title.lower().split()
    if " ".join(words) in HONORIFICS:
        return None
    out = []
    for word in words:
        if word in _ABBREVIATIONS:
            out.append(_ABBREVIATIONS[word])
        elif word in _LOWER_WORDS:
            out.append(word)
        else:
            out.append("-".join(part[:1].upper() + part[1:] for part in word.split("-")))
    return " ".join(out)


#: Words of titles ('Chairman', 'Minister', 'Mr'): a name that reaches one has ended, and one may
#: stand before a surname used alone ('Minister Petrov').
TITLE_WORDS = frozenset(w for title in TITLES for w in title.split())

#: Lower-case words inside people's names ('Osama bin Laden', 'Ursula von der Leyen').
NAME_PARTICLES = frozenset(
    """
abu ad al ben bin bint da das de del della den der di do dos du e ed el ibn la le ould ter ten ud ul van von y zu
""".split()
)
#: Lower-case words inside a known name: the particles, and the words joining an organisation's name
#: ('Ministry of the Interior').
NAME_LOWER_WORDS = NAME_PARTICLES | {"of", "the", "and", "for", "on", "in"}
