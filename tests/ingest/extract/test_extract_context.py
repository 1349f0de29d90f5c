"""People and organisations found from titles, appositions and organisation words."""

from __future__ import annotations

import pytest

from liaison.ingest.extract.context import TITLES, find_context_entities


def entities(text: str, kind: str | None = None) -> list[tuple[str, str, dict]]:
    mentions = find_context_entities(text)
    for m in mentions:
        assert text[m.start : m.end] == m.text
        assert m.kind in ("person", "organization") and m.source == "context"
    return [(m.kind, m.value, m.attrs) for m in mentions if kind is None or m.kind == kind]


def people(text: str) -> list[tuple[str, dict]]:
    return [(value, attrs) for _kind, value, attrs in entities(text, "person")]


def organisations(text: str) -> list[tuple[str, dict]]:
    return [(value, attrs) for _kind, value, attrs in entities(text, "organization")]


@pytest.mark.parametrize(
    ("text", "name", "attrs"),
    [
        (
            "National Security Adviser Ajit Doval arrived in Moscow on Wednesday.",
            "Ajit Doval",
            {"role": "National Security Adviser"},
        ),
        (
            "Secretary of the Security Council Nikolai Patrushev chaired the session.",
            "Nikolai Patrushev",
            {"role": "Secretary", "organization": "Security Council"},
        ),
        (
            "Interior Minister Sirajuddin Haqqani denied the report.",
            "Sirajuddin Haqqani",
            {"role": "Interior Minister"},
        ),
        ("Gen. Abdul Rashid Dostum returned from exile.", "Abdul Rashid Dostum", {"role": "General"}),
        ("Lt. Gen. Asim Malik visited the front.", "Asim Malik", {"role": "Lieutenant General"}),
        ("President Mirziyoyev signed the decree.", "Mirziyoyev", {"role": "President"}),
        ("Mr Ahmadi declined to comment.", "Ahmadi", {}),
        (
            "The provincial police spokesman Khalid Zadran said two men were held.",
            "Khalid Zadran",
            {"role": "Police Spokesman"},
        ),
        ("The analyst Michael Semple disagreed with that reading.", "Michael Semple", {"role": "Analyst"}),
        ("Sheikh Tamim al-Thani hosted the talks.", "Tamim al-Thani", {"role": "Sheikh"}),
        ("Mullah Baradar met the envoy.", "Baradar", {"role": "Mullah"}),
        (
            "Deputy Foreign Minister Andrei Rudenko led the delegation.",
            "Andrei Rudenko",
            {"role": "Deputy Foreign Minister"},
        ),
        (
            "Afghan Interior Minister Abdul Sattar Mirzakwal resigned.",
            "Abdul Sattar Mirzakwal",
            {"role": "Interior Minister", "country": "AF"},
        ),
        (
            "FSB Director Alexander Bortnikov briefed the council.",
            "Alexander Bortnikov",
            {"role": "Director", "organization": "FSB"},
        ),
        (
            "Taliban spokesman Zabihullah Mujahid rejected the claim.",
            "Zabihullah Mujahid",
            {"role": "Spokesman", "organization": "Taliban"},
        ),
        (
            "Director General of the International Atomic Energy Agency Rafael Grossi landed in Tehran.",
            "Rafael Grossi",
            {"role": "Director General", "organization": "International Atomic Energy Agency"},
        ),
        (
            "Kabul Police Chief Mawlawi Abdul Rahman Mansoor spoke to reporters.",
            "Abdul Rahman Mansoor",
            {"role": "Police Chief", "country": "AF"},
        ),
        ("Мы встретили President Шавкат Мирзиёев в Ташкенте.", "Шавкат Мирзиёев", {"role": "President"}),
    ],
)
def test_titles_before_names(text, name, attrs):
    assert (name, attrs) in people(text)


@pytest.mark.parametrize(
    ("text", "name", "attrs"),
    [
        (
            "Abdul Haq Wasiq, director of the General Directorate of Intelligence, said the men were armed.",
            "Abdul Haq Wasiq",
            {"role": "Director", "organization": "General Directorate of Intelligence"},
        ),
        (
            "Zabihullah Mujahid, a Taliban spokesman, told reporters the border was open.",
            "Zabihullah Mujahid",
            {"role": "Spokesman", "organization": "Taliban"},
        ),
        (
            "Maria Zakharova, the Russian Foreign Ministry spokeswoman, said Moscow was concerned.",
            "Maria Zakharova",
            {"role": "Spokeswoman", "organization": "Russian Foreign Ministry"},
        ),
        (
            "Ghada Waly, head of the United Nations Office on Drugs and Crime, warned of a surge.",
            "Ghada Waly",
            {"role": "Head", "organization": "United Nations Office on Drugs and Crime"},
        ),
        (
            "Vladimir Putin, president of Russia, met the delegation.",
            "Vladimir Putin",
            {"role": "President", "country": "RU"},
        ),
        (
            "Andrew Watkins, an analyst at the United States Institute of Peace, was sceptical.",
            "Andrew Watkins",
            {"role": "Analyst", "organization": "United States Institute of Peace"},
        ),
        (
            "Amir Khan Muttaqi, the Taliban's acting foreign minister, flew to Tashkent.",
            "Amir Khan Muttaqi",
            {"role": "Acting Foreign Minister"},
        ),
    ],
)
def test_appositions(text, name, attrs):
    assert (name, attrs) in people(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Officers of the Federal Security Service searched the flat.", ("Federal Security Service", {})),
        ("The Ministry of Foreign Affairs summoned the ambassador.", ("Ministry of Foreign Affairs", {})),
        ("A statement from Pakistan's Interior Ministry followed.", ("Interior Ministry", {"country": "PK"})),
        ("The National Directorate of Security made the arrests.", ("National Directorate of Security", {})),
        (
            "Members of the Collective Security Treaty Organization met in Minsk.",
            ("Collective Security Treaty Organization", {}),
        ),
        ("Fighters from the Sinaloa Cartel and the Haqqani Network were named.", ("Sinaloa Cartel", {})),
        ("Fighters from the Sinaloa Cartel and the Haqqani Network were named.", ("Haqqani Network", {})),
        ("A spokesman for the Islamic Revolutionary Guard Corps spoke.", ("Islamic Revolutionary Guard Corps", {})),
        ("The Drug Enforcement Administration opened a case.", ("Drug Enforcement Administration", {})),
        ("Officials at the North Atlantic Treaty Organization agreed.", ("North Atlantic Treaty Organization", {})),
    ],
)
def test_organisations(text, expected):
    assert expected in organisations(text)


@pytest.mark.parametrize(
    ("text", "name", "attrs"),
    [
        (
            "An Afghan government spokesman, Hamidullah Naseri, denied the report.",
            "Hamidullah Naseri",
            {"role": "Spokesman"},
        ),
        (
            "The company's chief analyst, Aigerim Bekova, said the backdoor was new.",
            "Aigerim Bekova",
            {"role": "Chief Analyst"},
        ),
        (
            "The firm's manager in Aktau, Daulet Ismailov, told reporters nothing.",
            "Daulet Ismailov",
            {"role": "Manager", "country": "KZ"},
        ),
        (
            "Kyrgyz delegate Azamat Toktogulov told journalists the data would be shared.",
            "Azamat Toktogulov",
            {"role": "Delegate", "country": "KG"},
        ),
        (
            "The smugglers worked with Moctar Ould Tfeil, a Mauritanian-born trafficker.",
            "Moctar Ould Tfeil",
            {"role": "Trafficker", "country": "MR"},
        ),
        ("Among them is Jordan Mera, a security supervisor at the port.", "Jordan Mera", {"role": "Supervisor"}),
        ("Federal prosecutor Lourdes Medina said the case was open.", "Lourdes Medina", {"role": "Prosecutor"}),
    ],
)
def test_titles_followed_by_a_comma_and_more_roles(text, name, attrs):
    assert people(text) == [(name, attrs)]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("The report was published by Tengri Cyber, a security company in Astana.", "Tengri Cyber"),
        ("The vehicles of a transport company, Sahil Transit, which was registered in Agadez.", "Sahil Transit"),
        ("Access was sold to a group calling itself Cyber Simorgh, which posted screenshots.", "Cyber Simorgh"),
        ("Recruits came from a smuggling network known as Mawarannahr Jamaat last year.", "Mawarannahr Jamaat"),
        ("Mexico's Attorney General's Office filed charges.", "Attorney General's Office"),
    ],
)
def test_organisations_introduced_by_what_they_are(text, name):
    assert name in [value for value, _attrs in organisations(text)]


@pytest.mark.parametrize(
    "text",
    [
        "The agency named Shahid Mir as the network's organiser.",
        "In Kabul, a city of five million, the group said it would respond.",
        "Officials in Kabul, the capital, and Herat, a trading hub, agreed.",
        "Fighters moved towards Badakhshan. Farhod Sharipov, a commander of the group, was seen in Kunduz.",
    ],
)
def test_no_false_organisations_from_appositions(text):
    assert organisations(text) == []


def test_acronyms_define_organisations_and_their_later_uses():
    text = (
        "The United Nations Office on Drugs and Crime (UNODC) estimated that cultivation fell. "
        "UNODC analysts expect a rebound, and the Federal Security Service (FSB) agreed. FSB officers "
        "later raided a warehouse. Tehrik-i-Taliban Pakistan (TTP) denied involvement."
    )
    found = [(m.text, m.value, m.attrs) for m in find_context_entities(text) if m.kind == "organization"]
    unodc = ("UNODC", "United Nations Office on Drugs and Crime", {"acronym": "UNODC"})
    fsb = ("FSB", "Federal Security Service", {"acronym": "FSB"})
    assert found == [  # the acronym in its brackets is a mention of the organisation too
        ("United Nations Office on Drugs and Crime", "United Nations Office on Drugs and Crime", {"acronym": "UNODC"}),
        unodc,
        unodc,
        ("Federal Security Service", "Federal Security Service", {"acronym": "FSB"}),
        fsb,
        fsb,
        ("Tehrik-i-Taliban Pakistan", "Tehrik-i-Taliban Pakistan", {"acronym": "TTP"}),
        ("TTP", "Tehrik-i-Taliban Pakistan", {"acronym": "TTP"}),
    ]


def test_places_with_acronyms_are_not_organisations():
    assert organisations("Traders from the United Arab Emirates (UAE) and Saudi Arabia (KSA) met.") == []


@pytest.mark.parametrize(
    "text",
    [
        "On Monday the Ministry said Afghan officials were present.",
        "The Ministry said it would respond. The Council met on Tuesday.",
        "Afghan officials and Tajik border guards met in March.",
        "In Kabul, officials said the road was closed. However, Russia objected.",
        "Police said the Interior Ministry spokesman declined to comment.",
        "Kabul, the capital, was calm. Central Asia, a major transit region, is watching.",
        "The general public was not told; a senior official said Afghan Taliban fighters had left.",
        "According to the report, Moscow and Tashkent agreed. Yesterday the President spoke.",
        "The minister Monday told reporters that the head of the unit was away.",
    ],
)
def test_no_false_people(text):
    assert people(text) == []


def test_headlines_in_title_case_are_not_read_for_names():
    text = "Taliban Delegation Meets Russian Security Council Officials In Moscow\nThe talks ended."
    assert entities(text) == []


def test_possessive_is_not_part_of_the_name():
    [(name, _attrs)] = people("President Putin's envoy arrived.")
    assert name == "Putin"


def test_titles_are_lower_case_and_longest_first():
    assert all(t == t.lower() for t in TITLES)
    assert [len(t) for t in TITLES] == sorted((len(t) for t in TITLES), reverse=True)
    assert {"national security adviser", "interior minister", "spokesman", "gen.", "mullah", "sheikh"} <= set(TITLES)


# A small hand-annotated set of news sentences (our own prose): every person named with a title or an
# apposition, and sentences full of capitalised words that name no one.
CORPUS = [
    ("Russian Security Council Secretary Sergei Shoigu met Afghan officials in Kabul on Tuesday.", {"Sergei Shoigu"}),
    (
        "Tajik President Emomali Rahmon said on Monday that 200 kilograms of heroin were seized near Khorog.",
        {"Emomali Rahmon"},
    ),
    (
        "Michael Kugelman, director of the South Asia Institute at the Wilson Center, said Moscow was hedging.",
        {"Michael Kugelman"},
    ),
    ("Uzbek Foreign Minister Bakhtiyor Saidov and his Kazakh counterpart met in Samarkand.", {"Bakhtiyor Saidov"}),
    ("The Kyrgyz State Committee for National Security said it had detained a courier in Osh.", set()),
    ("Border guards in Gorno-Badakhshan found the cache after a tip from Afghan police.", set()),
    ("Iran's Supreme Leader Ali Khamenei did not comment; Iranian media were silent.", {"Ali Khamenei"}),
    ("Colonel Rustam Nazarov, commander of the border detachment, said patrols were doubled.", {"Rustam Nazarov"}),
    ("Pakistani Prime Minister Shehbaz Sharif spoke with Chinese officials on Friday.", {"Shehbaz Sharif"}),
    ("Officials in Herat, Kandahar and Helmand said the ban held through March.", set()),
    ("The European Union and the Shanghai Cooperation Organisation issued statements.", set()),
    ("Lawyer Fatima Gailani, a former Red Crescent chief, urged calm.", {"Fatima Gailani"}),
    ("Smugglers moved methamphetamine through Nimroz, according to the United Nations.", set()),
    ("Ambassador Dmitry Zhirnov said Russia would keep its embassy open.", {"Dmitry Zhirnov"}),
    ("Since January, Turkmen and Afghan traders have crossed at Torghundi every week.", set()),
    (
        "Judge Anwar Ali ordered the suspects held, said spokesman Ahmad Wali Haqmal.",
        {"Anwar Ali", "Ahmad Wali Haqmal"},
    ),
    ("Most Western diplomats left in August; some returned last spring.", set()),
    ("Chief Justice Abdul Hakim Haqqani issued the ruling.", {"Abdul Hakim Haqqani"}),
]


def test_precision_and_recall_on_a_small_annotated_corpus():
    found = expected = correct = 0
    for text, names in CORPUS:
        got = {name for name, _attrs in people(text)}
        found += len(got)
        expected += len(names)
        correct += len(got & names)
    assert correct / found >= 0.9
    assert correct / expected >= 0.8


def test_and_inside_an_organisation_name_or_between_two():
    def organisations(text):
        return [m.value for m in find_context_entities(text) if m.kind == "organization"]

    assert organisations("The Jammu and Kashmir Police said two men were held.") == ["Jammu and Kashmir Police"]
    assert "Information and Communication Technologies Authority" in organisations(
        "A statement from the Information and Communication Technologies Authority followed."
    )
    assert organisations("Officials of the Sinaloa Cartel and the Haqqani Network met.") == [
        "Sinaloa Cartel",
        "Haqqani Network",
    ]
    assert "International Committee of the Red Cross" in organisations(
        "Staff of the International Committee of the Red Cross were released."
    )
