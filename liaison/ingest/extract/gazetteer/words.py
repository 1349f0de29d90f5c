"""Word lists that keep the gazetteer from reading ordinary words and people as places (hand-written)."""

from __future__ import annotations

#: Place names that are also common English words, given names or surnames: matched only after
#: a place noun ('the port of Bar'), and never as provinces or other names of a city.
AMBIGUOUS_NAMES = frozenset(
    """
Abba Acre Ada Adam Agen Ajax Alba Albert Alexander Alice Along Alta Amara Ami Ana Ann Anna Ans Arcadia Augusta
Aurora Austin Bam Bar Barbara Basic Bath Bear Bell Bend Best Bishop Bloom Bolder Bolivar Bone Boom Bow Bra
Brandon Brick Buy Caller Camden Canton Carmel Caroline Cars Carson Cascades Catherine Cecilia Central Centrale
Centre Cesar Chair Charlotte Chester Chin Chu Clay Clinton Coast Collines Colon Columbia Columna Come Commerce
Conception Concord Cordillera Corona Cortes Crystal Dali Dar Darwin Date David Deal Delta Denton Diamond Donga
Dover Dual Eden Elizabeth Enterprise Eugene Eva Fairfield Federal Florence Flores Forest Franklin Fremont Fuji
Garden Gary George Gold Grace Grand Green Grenade Guerrero Gulf Hamilton Harlow Hassan Hayward Hela Hercules
Hermosa Herrera Hitachi Holiday Homestead Honda Hook Hope Hub Hue Human Independence Irving Isabel Isabela Ise
Jackson Jam Jefferson Jesus Joliet Julia Justice Kawasaki Kent Kim Lafayette Lakes Lancaster Lara Lawrence Lee
Leste Liberal Liberty Lime Lincoln Linden Linen Littoral Logan Lorain Loreto Lori Lowell Lucena Luis Madison
Magdalena Mage Magna Mai Male Man Manage Mango Mara Marche Marietta Marion Marks Martin Mason Mazda Medina
Mercedes Meta Metro Midland Midlands Mile Mine Mission Mobile Mono Monroe More Moses Most Mount Murphy Natal
Nelson Newton Nice Nigel Nissan Nokia Nord Normal Norte Norton Norwalk Obama Ocean Opera Opportunity Orange
Orlando Ouest Palm Pando Paradise Pare Parma Pasadena Peer Pen Phoenix Plano Plateau Plateaux Plum Poa Police
Pool Pop Principe Pristine Providence Pueblo Quincy Rand Reading Reservoir Rest Retreat Rich Rivers Roman
Romana Rose Rosette Rugby Sabah Sakata Sale Salem Salt Salvador Same San Santa Santos Savanes Savannah Say
Sedan Seen Semi Shida Side Sierra Sig Sila Sim Solo Sophia Split Spring Springfield Stafford Subaru Sucre Sue
Sunrise Superior Surprise Suzuki Tall Tank Tell Time Tours Toyota Trident Trinidad Troy Turn Tyler Union Unity
University Valle Valley Vera Victoria Vista Volta Waco Walker Warren Wedding Wells Wilson Winchester Yao York
Zaire
""".split()
)

#: Capitalised words that open sentences and phrases ('In', 'The', 'Meanwhile').
SENTENCE_WORDS = frozenset(
    """
A An The In At On From To Near Outside Inside Across Around Throughout Both And But Or Nor As While When Where
Since After Before During Like Unlike Via Through Between Among Amid Amidst For With Without Against Into Onto
Over Under Beyond Despite Of Off If Although Though Yet So Meanwhile Also Only Even Then Here There This That
These Those Its Their His Her Our Your My Some Many Most All Each Every Several Two Three Four Five Six Seven
Eight Nine Ten Neither Either Towards Toward Until Till By Up Down About Above Below Behind Beside Besides
Along Within Upon Per Whether Once Now Today Yesterday Tomorrow Last Next Early Late Former Nearby
""".split()
)

#: Directions and other adjectives that may precede a place name ('northern Kunduz', 'Greater Kabul').
PLACE_ADJECTIVES = frozenset(
    """
Northern Southern Eastern Western Central North South East West Northeast Northwest Southeast Southwest
North-East North-West South-East South-West Greater Old Downtown Upper Lower Inner Outer Metropolitan
Provincial Rural Urban Coastal Landlocked Neighbouring Neighboring Occupied Besieged Embattled
""".split()
)

#: Capitalised words that may precede a place name without making it part of a person's name.
FUNCTION_WORDS = SENTENCE_WORDS | PLACE_ADJECTIVES

#: Words that only say what kind of place a name is: a name made of these alone is not distinctive.
GENERIC_PLACE_WORDS = frozenset(
    """
Province Region Territory Territories Coast Capital National Continentale Insulaire Islands Highlands District
State Department Municipality Area Zone
""".split()
)

#: Words that may follow a place name and keep it a place ('Kabul Airport', 'Herat Governor').
PLACE_FOLLOWERS = frozenset(
    """
Province District City Town Village Region Oblast Governorate Prefecture County State Valley Airport Airbase
Base Border Crossing Road Highway Street Square Bridge Dam Prison Port Harbour Harbor Bay River Lake Mountains
Mountain Pass Gate Corridor Area Zone Camp Station Railway Central Municipality Metro Police University
Court Bank Times Post Tribune Mayor Governor Council Assembly Parliament Ministry Office Embassy Consulate
Stock Exchange International Airport Declaration Accord Agreement Process Format Summit Conference Talks
Group Initiative Pact Protocol Treaty Process Hospital Mosque Cathedral Market Bazaar Hotel Stadium
Security Branch Division Regional Military Garrison Checkpoint
""".split()
)

#: Nouns that name a kind of place; a city after '<noun> of' or before '<noun>' is read in a locative sense.
PLACE_NOUNS = (
    "city",
    "town",
    "village",
    "district",
    "province",
    "region",
    "area",
    "capital",
    "port",
    "border town",
    "provincial capital",
    "settlement",
    "suburb",
    "outskirts",
    "municipality",
    "oblast",
    "governorate",
    "harbour",
    "harbor",
    "island",
    "county",
    "state",
)

#: Words introducing a place ('in Kunduz', 'near Mazar-i-Sharif').
LOCATIVE_WORDS = (
    "in",
    "near",
    "from",
    "to",
    "at",
    "outside",
    "around",
    "into",
    "towards",
    "toward",
    "via",
    "across",
    "through",
    "of",
    "between",
    "reached",
    "entered",
    "left",
    "visited",
    "visit",
    "arrived in",
    "based in",
    "nearby",
    "inside",
    "throughout",
    "within",
)
