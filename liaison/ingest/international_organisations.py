"""International organisations for the reference knowledge, written for Liaison: the names the
organisations use in English, their acronyms and other names, and one-line descriptions in our
own words. News names them by acronym as often as in full ("CSTO", "Collective Security Treaty
Organization"); as aliases of one identity, both resolve to it."""

from __future__ import annotations

from dataclasses import dataclass

#: Version of the hand-written list of organisations below: change it whenever the list changes.
ORGANISATIONS_VERSION = "2026-12-07"


@dataclass(frozen=True, slots=True)
class Organisation:
    """An international organisation: the name it is best known by in English, its other names
    (acronyms first), STIX sectors and a one-line description."""

    key: str
    name: str
    aliases: tuple[str, ...]
    description: str
    sectors: tuple[str, ...] = ("government",)
    website: str | None = None


# Written for Liaison: names as the organisations use them in English, descriptions in our words.
ORGANISATIONS = (
    Organisation(
        "un",
        "United Nations",
        ("UN", "U.N.", "United Nations Organization", "UNO"),
        "Intergovernmental organisation of nearly all sovereign states, founded in 1945 to keep peace and security.",
        website="https://www.un.org",
    ),
    Organisation(
        "unsc",
        "United Nations Security Council",
        ("UNSC", "UN Security Council", "U.N. Security Council"),
        "The UN organ responsible for international peace and security; it adopts binding resolutions and "
        "sanctions regimes.",
        website="https://www.un.org/securitycouncil",
    ),
    Organisation(
        "unga",
        "United Nations General Assembly",
        ("UNGA", "UN General Assembly"),
        "The UN's plenary body, in which every member state has one vote.",
        website="https://www.un.org/en/ga",
    ),
    Organisation(
        "unodc",
        "United Nations Office on Drugs and Crime",
        ("UNODC", "UN Office on Drugs and Crime"),
        "UN office working against illicit drugs, organised crime, corruption and terrorism, based in Vienna.",
        website="https://www.unodc.org",
    ),
    Organisation(
        "unoct",
        "United Nations Office of Counter-Terrorism",
        ("UNOCT", "UN Office of Counter-Terrorism"),
        "UN office that coordinates the organisation's counter-terrorism work and capacity building.",
        website="https://www.un.org/counterterrorism",
    ),
    Organisation(
        "unhcr",
        "United Nations High Commissioner for Refugees",
        (
            "UNHCR",
            "UN Refugee Agency",
            "UN refugee agency",
            "Office of the United Nations High Commissioner for Refugees",
        ),
        "UN agency that protects refugees, forcibly displaced people and stateless persons.",
        website="https://www.unhcr.org",
    ),
    Organisation(
        "unicef",
        "United Nations Children's Fund",
        ("UNICEF", "United Nations International Children's Emergency Fund"),
        "UN agency for children's rights, health, education and humanitarian relief.",
        website="https://www.unicef.org",
    ),
    Organisation(
        "ohchr",
        "Office of the United Nations High Commissioner for Human Rights",
        ("OHCHR", "UN Human Rights Office", "UN Human Rights"),
        "UN office that promotes and monitors human rights worldwide, based in Geneva.",
        website="https://www.ohchr.org",
    ),
    Organisation(
        "undp",
        "United Nations Development Programme",
        ("UNDP", "UN Development Programme"),
        "UN agency for development, poverty reduction and governance.",
        website="https://www.undp.org",
    ),
    Organisation(
        "wfp",
        "World Food Programme",
        ("WFP", "UN World Food Programme", "United Nations World Food Programme"),
        "UN agency that delivers food assistance in emergencies.",
        website="https://www.wfp.org",
    ),
    Organisation(
        "who",
        "World Health Organization",
        ("WHO", "World Health Organisation"),
        "UN agency for international public health.",
        ("government", "healthcare"),
        website="https://www.who.int",
    ),
    Organisation(
        "unesco",
        "United Nations Educational, Scientific and Cultural Organization",
        ("UNESCO",),
        "UN agency for education, science, culture and the protection of heritage.",
        ("government", "education"),
        website="https://www.unesco.org",
    ),
    Organisation(
        "iom",
        "International Organization for Migration",
        ("IOM", "UN Migration"),
        "Intergovernmental organisation for migration, part of the UN system since 2016.",
        website="https://www.iom.int",
    ),
    Organisation(
        "iaea",
        "International Atomic Energy Agency",
        ("IAEA",),
        "Organisation in the UN family that promotes the peaceful use of nuclear energy and verifies "
        "safeguards against its military use.",
        ("government", "nuclear"),
        website="https://www.iaea.org",
    ),
    Organisation(
        "opcw",
        "Organisation for the Prohibition of Chemical Weapons",
        ("OPCW", "Organization for the Prohibition of Chemical Weapons"),
        "Implementing body of the Chemical Weapons Convention, based in The Hague.",
        website="https://www.opcw.org",
    ),
    Organisation(
        "ctbto",
        "Comprehensive Nuclear-Test-Ban Treaty Organization",
        ("CTBTO",),
        "Organisation preparing the verification regime of the nuclear test ban treaty, based in Vienna.",
        website="https://www.ctbto.org",
    ),
    Organisation(
        "icao",
        "International Civil Aviation Organization",
        ("ICAO",),
        "UN agency setting the standards of international civil aviation, including aviation security.",
        ("government", "transportation"),
        website="https://www.icao.int",
    ),
    Organisation(
        "imo",
        "International Maritime Organization",
        ("IMO",),
        "UN agency for the safety and security of shipping and the prevention of marine pollution.",
        ("government", "transportation"),
        website="https://www.imo.org",
    ),
    Organisation(
        "itu",
        "International Telecommunication Union",
        ("ITU",),
        "UN agency for information and communication technologies, radio spectrum and standards.",
        ("government", "telecommunications"),
        website="https://www.itu.int",
    ),
    Organisation(
        "wco",
        "World Customs Organization",
        ("WCO", "World Customs Organisation"),
        "Intergovernmental organisation of customs administrations, based in Brussels.",
        website="https://www.wcoomd.org",
    ),
    Organisation(
        "icj",
        "International Court of Justice",
        ("ICJ", "World Court"),
        "The principal judicial organ of the UN, settling disputes between states, in The Hague.",
        website="https://www.icj-cij.org",
    ),
    Organisation(
        "icc",
        "International Criminal Court",
        ("ICC",),
        "Permanent court that tries individuals for genocide, war crimes, crimes against humanity and "
        "aggression, in The Hague.",
        website="https://www.icc-cpi.int",
    ),
    Organisation(
        "icrc",
        "International Committee of the Red Cross",
        ("ICRC",),
        "Independent humanitarian organisation that protects victims of armed conflict, guardian of the "
        "Geneva Conventions.",
        ("non-profit",),
        website="https://www.icrc.org",
    ),
    Organisation(
        "ifrc",
        "International Federation of Red Cross and Red Crescent Societies",
        ("IFRC",),
        "Federation of the national Red Cross and Red Crescent societies.",
        ("non-profit",),
        website="https://www.ifrc.org",
    ),
    Organisation(
        "world-bank",
        "World Bank",
        ("World Bank Group", "WBG"),
        "International financial institution lending to governments for development.",
        ("government", "financial-services"),
        website="https://www.worldbank.org",
    ),
    Organisation(
        "imf",
        "International Monetary Fund",
        ("IMF",),
        "International financial institution for monetary cooperation and balance-of-payments support.",
        ("government", "financial-services"),
        website="https://www.imf.org",
    ),
    Organisation(
        "wto",
        "World Trade Organization",
        ("WTO", "World Trade Organisation"),
        "Intergovernmental organisation that regulates and arbitrates international trade.",
        website="https://www.wto.org",
    ),
    Organisation(
        "fatf",
        "Financial Action Task Force",
        ("FATF", "GAFI", "Groupe d'action financière"),
        "Intergovernmental body setting standards against money laundering and terrorist financing; it keeps "
        "the grey and black lists of jurisdictions.",
        ("government", "financial-services"),
        website="https://www.fatf-gafi.org",
    ),
    Organisation(
        "egmont",
        "Egmont Group of Financial Intelligence Units",
        ("Egmont Group",),
        "Network of national financial intelligence units that exchange information on money laundering and "
        "terrorist financing.",
        ("government", "financial-services"),
        website="https://egmontgroup.org",
    ),
    Organisation(
        "oecd",
        "Organisation for Economic Co-operation and Development",
        ("OECD", "Organization for Economic Cooperation and Development"),
        "Intergovernmental economic organisation of mostly high-income countries, based in Paris.",
        website="https://www.oecd.org",
    ),
    Organisation(
        "interpol",
        "International Criminal Police Organization",
        ("INTERPOL", "Interpol", "ICPO", "ICPO-INTERPOL"),
        "International police cooperation organisation of national central bureaus, based in Lyon; it issues "
        "notices such as the red notice.",
        ("government", "law-enforcement"),
        website="https://www.interpol.int",
    ),
    Organisation(
        "nato",
        "North Atlantic Treaty Organization",
        ("NATO", "North Atlantic Alliance", "OTAN", "North Atlantic Treaty Organisation"),
        "Military alliance of European and North American states founded by the North Atlantic Treaty of 1949.",
        ("government", "defense"),
        website="https://www.nato.int",
    ),
    Organisation(
        "osce",
        "Organization for Security and Co-operation in Europe",
        ("OSCE", "Organisation for Security and Co-operation in Europe"),
        "Regional security organisation of states of Europe, Central Asia and North America, based in Vienna.",
        website="https://www.osce.org",
    ),
    Organisation(
        "coe",
        "Council of Europe",
        ("CoE",),
        "European organisation for human rights, democracy and the rule of law, distinct from the European "
        "Union; it hosts the Budapest Convention on cybercrime.",
        website="https://www.coe.int",
    ),
    Organisation(
        "eu",
        "European Union",
        ("EU", "E.U."),
        "Political and economic union of European member states.",
        website="https://european-union.europa.eu",
    ),
    Organisation(
        "european-commission",
        "European Commission",
        ("EC",),
        "The executive of the European Union.",
        website="https://commission.europa.eu",
    ),
    Organisation(
        "eeas",
        "European External Action Service",
        ("EEAS",),
        "The diplomatic service of the European Union.",
        website="https://www.eeas.europa.eu",
    ),
    Organisation(
        "europol",
        "Europol",
        ("European Union Agency for Law Enforcement Cooperation", "European Police Office"),
        "The European Union's agency for law enforcement cooperation, based in The Hague.",
        ("government", "law-enforcement"),
        website="https://www.europol.europa.eu",
    ),
    Organisation(
        "eurojust",
        "Eurojust",
        ("European Union Agency for Criminal Justice Cooperation",),
        "The European Union's agency for judicial cooperation in criminal matters, based in The Hague.",
        ("government", "law-enforcement"),
        website="https://www.eurojust.europa.eu",
    ),
    Organisation(
        "eppo",
        "European Public Prosecutor's Office",
        ("EPPO",),
        "Independent prosecution office of the European Union for crimes against the Union's budget.",
        ("government", "law-enforcement"),
        website="https://www.eppo.europa.eu",
    ),
    Organisation(
        "frontex",
        "Frontex",
        ("European Border and Coast Guard Agency",),
        "The European Union's agency for the management of its external borders, based in Warsaw.",
        ("government", "law-enforcement"),
        website="https://www.frontex.europa.eu",
    ),
    Organisation(
        "enisa",
        "European Union Agency for Cybersecurity",
        ("ENISA",),
        "The European Union's agency for cybersecurity.",
        ("government", "technology"),
        website="https://www.enisa.europa.eu",
    ),
    Organisation(
        "csto",
        "Collective Security Treaty Organization",
        ("CSTO", "ODKB", "Collective Security Treaty Organisation"),
        "Military alliance of Russia and several other post-Soviet states, based in Moscow.",
        ("government", "defense"),
        website="https://en.odkb-csto.org",
    ),
    Organisation(
        "sco",
        "Shanghai Cooperation Organisation",
        ("SCO", "Shanghai Cooperation Organization"),
        "Eurasian political, economic and security organisation founded by China, Russia and Central Asian "
        "states; its Regional Anti-Terrorist Structure sits in Tashkent.",
        website="https://eng.sectsco.org",
    ),
    Organisation(
        "sco-rats",
        "Regional Anti-Terrorist Structure of the Shanghai Cooperation Organisation",
        ("RATS", "SCO RATS", "Regional Anti-Terrorist Structure"),
        "The Shanghai Cooperation Organisation's permanent counter-terrorism body, based in Tashkent.",
        ("government", "law-enforcement"),
    ),
    Organisation(
        "cis",
        "Commonwealth of Independent States",
        ("CIS",),
        "Regional organisation of post-Soviet states, based in Minsk.",
        website="https://cis.minsk.by",
    ),
    Organisation(
        "cis-atc",
        "CIS Anti-Terrorism Center",
        ("CIS ATC", "Anti-Terrorism Center of the Commonwealth of Independent States"),
        "Counter-terrorism coordination body of the Commonwealth of Independent States.",
        ("government", "law-enforcement"),
    ),
    Organisation(
        "eaeu",
        "Eurasian Economic Union",
        ("EAEU", "EEU"),
        "Economic union of Russia, Belarus, Kazakhstan, Kyrgyzstan and Armenia.",
        website="https://eec.eaeunion.org",
    ),
    Organisation(
        "cica",
        "Conference on Interaction and Confidence-Building Measures in Asia",
        ("CICA",),
        "Forum for security cooperation between Asian states, founded on Kazakhstan's initiative.",
    ),
    Organisation(
        "asean",
        "Association of Southeast Asian Nations",
        ("ASEAN",),
        "Regional organisation of ten Southeast Asian states, based in Jakarta.",
        website="https://asean.org",
    ),
    Organisation(
        "aseanapol",
        "ASEAN National Police",
        ("ASEANAPOL",),
        "Cooperation body of the police forces of the ASEAN member states.",
        ("government", "law-enforcement"),
    ),
    Organisation(
        "saarc",
        "South Asian Association for Regional Cooperation",
        ("SAARC",),
        "Regional organisation of the states of South Asia, based in Kathmandu.",
    ),
    Organisation(
        "au",
        "African Union",
        ("AU",),
        "Continental union of the African states, based in Addis Ababa.",
        website="https://au.int",
    ),
    Organisation(
        "ecowas",
        "Economic Community of West African States",
        ("ECOWAS", "CEDEAO"),
        "Regional economic and political community of West African states, based in Abuja.",
        website="https://www.ecowas.int",
    ),
    Organisation(
        "igad",
        "Intergovernmental Authority on Development",
        ("IGAD",),
        "Regional organisation of states of the Horn of Africa, the Nile Valley and the African Great Lakes.",
        website="https://igad.int",
    ),
    Organisation(
        "arab-league",
        "League of Arab States",
        ("Arab League", "LAS"),
        "Regional organisation of Arab states, based in Cairo.",
    ),
    Organisation(
        "gcc",
        "Gulf Cooperation Council",
        ("GCC", "Cooperation Council for the Arab States of the Gulf"),
        "Political and economic union of six Arab states of the Persian Gulf, based in Riyadh.",
        website="https://www.gcc-sg.org",
    ),
    Organisation(
        "oic",
        "Organisation of Islamic Cooperation",
        ("OIC", "Organization of Islamic Cooperation", "Organisation of the Islamic Conference"),
        "Intergovernmental organisation of states with Muslim populations, based in Jeddah.",
        website="https://www.oic-oci.org",
    ),
    Organisation(
        "oas",
        "Organization of American States",
        ("OAS", "OEA"),
        "Regional organisation of the states of the Americas, based in Washington, D.C.",
        website="https://www.oas.org",
    ),
    Organisation(
        "gctf",
        "Global Counterterrorism Forum",
        ("GCTF",),
        "Informal multilateral forum of states on counter-terrorism practice.",
        website="https://www.thegctf.org",
    ),
)
