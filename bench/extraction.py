"""Extraction quality and speed: the pipeline against the labelled articles, and a bare baseline.

The articles (bench/data/articles.json) carry gold lists of the distinct persons, organisations and
places each one mentions, by canonical name: the knowledge-base name for a known entity, whatever
spelling the article used; otherwise the name as the article first writes it. The knowledge base is
the seed (bench/data/knowledge.json) plus synthetic people, organisations and groups generated from
seeded name lists of several cultures, up to `--names` entities. A synthetic name that equals a gold
name, a seed name or alias, or that occurs word for word in an article is skipped: it would be a
namesake that makes the gold wrong.

Scores are micro-averaged over the articles, per kind; `group` predictions count as organisations.
Names are compared folded (ASCII transliteration, case, punctuation and a leading "the" ignored), so
"Sidibé" matches "Sidibe" but "Shoygu" does not match "Shoigu". A location also matches on any of
its mentions' texts, as the gold names places as written.

Speed: articles/s of `extract` over all articles (best of `--rounds`), and, in the same run, the
baseline: one pyahocorasick automaton over the same lower-cased entity names scanning the
lower-cased articles, without word boundaries or anything else. The ratio printed is the pipeline's
articles/s over the baseline's.

    python bench/extraction.py [--names 100000] [--rounds 3] [--errors] [--articles PATH] [--model]
    python bench/extraction.py --conll [--errors]    # real news against spaCy: see bench/conll.py
"""

from __future__ import annotations

import argparse
import datetime
import json
import random
import re
import sys
import time
import uuid
from pathlib import Path

import ahocorasick
from anyascii import anyascii

from liaison.ingest.documents import Document, checked
from liaison.ingest.extract.knowledge import KnowledgeIndex, KnownEntity
from liaison.ingest.extract.pipeline import extract

DATA = Path(__file__).resolve().parent / "data"
KINDS = ("person", "organization", "location")
TARGETS = {"precision": 0.90, "recall": 0.85, "articles_per_second": 50.0}
SEED = 20260314

# --- name parts (given names, family names) by culture --------------------------------------------

RUSSIAN_M = """Aleksei Andrei Anton Artyom Boris Denis Dmitri Egor Fyodor Gennady Grigory Igor Ilya Ivan
    Kirill Konstantin Leonid Mikhail Nikita Oleg Pavel Roman Semyon Stanislav Vadim Valery Viktor
    Vladimir Yuri Zakhar""".split()
RUSSIAN_F = "Alina Anna Darya Elena Irina Ksenia Larisa Marina Natalya Olga Polina Svetlana Tatyana Vera Yulia".split()
RUSSIAN_PATRONYMIC = """Alekseevich Andreevich Borisovich Dmitrievich Fyodorovich Grigorievich Igorevich
    Ivanovich Konstantinovich Leonidovich Mikhailovich Nikolaevich Olegovich Pavlovich Petrovich
    Romanovich Stepanovich Vasilievich Viktorovich Yurievich""".split()
RUSSIAN_FAMILY = """Abramov Alekseev Belov Belyaev Bogdanov Bykov Danilov Egorov Fedorov Frolov Gromov
    Gusev Ilyin Kalinin Kiselev Komarov Kovalev Krylov Kuzmin Lebedev Makarov Mironov Morozov
    Nikitin Orlov Osipov Pavlov Polyakov Rybakov Savelyev Semyonov Shcherbakov Sokolov Sorokin
    Tarasov Tikhonov Vinogradov Voronin Zaitsev Zimin""".split()

CENTRAL_ASIAN_M = """Akmal Alisher Anvar Azamat Aziz Bakhodir Bekzod Bolat Daniyar Dauren Dilshod Doniyor
    Eldor Farrukh Firdavs Jamshid Jasur Kairat Kanat Kuanysh Marat Nurbek Olzhas Otabek Parviz
    Rustam Sanjar Sardor Serik Sherzod Shuhrat Talgat Temur Ulugbek Umid Zafar Zhandos""".split()
CENTRAL_ASIAN_F = """Aigul Aizhan Aruzhan Dilnoza Feruza Gulnora Kamila Madina Malika Nargiza Nilufar
    Saule Shahnoza Zarina Zulfiya""".split()
CENTRAL_ASIAN_FAMILY = """Abdullaev Akhmedov Alimov Aminov Ashurov Bakirov Boboev Davlatov Davletov
    Ermekov Fayzullaev Ganiev Ibragimov Ismoilov Jumaev Kamalov Kenzhebaev Khamidov Khodjaev
    Kurbanov Mamatov Mirzaev Mukhamedov Nazarbekov Nazarzoda Nurmatov Omarov Rahimzoda Rakhimov
    Rashidov Salimov Sharifzoda Sharipov Sultanov Tokhtarov Tursunov Umarov Usmonov Yuldashev
    Zakirov Zhumabekov""".split()

ARABIC_M = """Adnan Ahmad Ali Amjad Anas Bilal Faisal Fares Ghassan Hamza Hassan Hisham Hussam Ibrahim
    Imad Issa Jamal Kamal Karim Khaled Mahmoud Majid Marwan Mazen Mustafa Nabil Nasser Omar Osama
    Qasim Rami Saad Salim Sami Tariq Waleed Yasser Zaid Ziad""".split()
ARABIC_F = "Amal Aya Dana Fatima Hala Huda Layla Lina Mariam Noor Rana Reem Salma Samira Yasmin".split()
ARABIC_FAMILY = """al-Ahmad al-Amiri al-Ani al-Attar al-Azzawi al-Bakri al-Dulaimi al-Essa al-Fadhli
    al-Ghamdi al-Hakim al-Harbi al-Hassan al-Jabouri al-Janabi al-Khatib al-Masri al-Mutairi
    al-Najjar al-Qahtani al-Qaisi al-Rashid al-Saadi al-Shammari al-Sharif al-Shehri al-Tikriti
    al-Zoubi Abboud Barakat Darwish Haddad Hijazi Jaber Karam Khoury Mansour Sabbagh Saleh""".split()

PERSIAN_M = """Ali Amir Arash Babak Behrouz Bijan Dariush Ehsan Farhad Farid Hamid Hossein Iman Kaveh
    Kian Kourosh Majid Mehdi Milad Mohsen Morteza Navid Omid Payam Pouya Reza Saeed Siavash Vahid
    Yousef""".split()
PERSIAN_F = """Azadeh Elham Fariba Leila Mahsa Maryam Nasrin Parisa Roya Shirin Simin Soraya Taraneh Yasaman
    Zahra""".split()
PERSIAN_FAMILY = """Ahmadi Akbari Alavi Amini Asadi Bagheri Ebrahimi Farahani Ghasemi Hashemi Heidari
    Hosseini Jafari Jalali Kamali Karimi Kazemi Mahmoudi Moradi Mousavi Najafi Nazari Nouri Rahimi
    Rezaei Rostami Sadeghi Salehi Sharifi Shirazi Soltani Tabrizi Tehrani Yazdani Zamani""".split()

PASHTO_M = """Ajmal Asadullah Bashir Daud Ehsanullah Faridullah Gul Habibullah Hamidullah Hayatullah
    Ikramullah Jawed Khalid Lutfullah Mirwais Naqibullah Nasir Noorullah Obaidullah Qudratullah
    Rafiullah Rahmatullah Saifullah Samiullah Sayed Shafiq Sher Wahidullah Yaqub Zalmai""".split()
PASHTO_F = "Fereshta Laila Mursal Nazanin Palwasha Roshana Shabnam Spogmai Zarghona".split()
PASHTO_FAMILY = """Achakzai Ahmadzai Alizai Amarkhel Andar Babakarkhel Barakzai Durrani Ghilzai Hotak
    Ibrahimkhel Jadran Kakar Kharoti Khattak Mangal Mohmand Momand Muslimyar Niazi Orakzai Popalzai
    Safi Sahak Shinwari Sultanzai Tani Wardak Zadran Zazai""".split()

TURKISH_M = """Ahmet Ali Barış Burak Can Cem Cengiz Emre Engin Erkan Fatih Hakan Hasan Kaan Kemal
    Levent Mehmet Murat Mustafa Oğuz Onur Osman Selim Serkan Sinan Tolga Tuncay Volkan Yavuz
    Yusuf""".split()
TURKISH_F = "Aylin Ayşe Burcu Deniz Ebru Elif Emine Esra Gül Hande Merve Özlem Seda Selin Zeynep".split()
TURKISH_FAMILY = """Acar Akın Aksoy Arslan Aslan Avcı Aydın Bozkurt Çelik Çetin Demir Doğan Duman Erdem
    Güneş Kaplan Kara Keskin Kılıç Koç Korkmaz Kurt Özdemir Öztürk Polat Şahin Tekin Uçar Ünal
    Yavuz Yıldırım Yıldız Yılmaz""".split()

CHINESE_FAMILY = """Cao Chen Deng Feng Gao Guo Han He Hu Huang Li Liang Lin Liu Luo Ma Peng Song Sun
    Tang Wang Wu Xie Xu Yang Zhang Zhao Zheng Zhou Zhu""".split()
CHINESE_SYLLABLES = """an bin bo chao cheng chun dong fang feng gang guo hai hao hong hua hui jian jie jun
    kai lan lei li lin ling long mei ming na ning peng qiang qing rong shan tao wei wen xia xiang
    xin xiu yan yang yi ying yong yu yun zhen zhi""".split()

SPANISH_M = """Alejandro Andrés Carlos Diego Eduardo Emilio Esteban Felipe Fernando Francisco Gabriel
    Guillermo Héctor Ignacio Javier Jorge José Juan Luis Manuel Mario Miguel Óscar Pablo Rafael
    Ramiro Raúl Rodrigo Sergio Tomás""".split()
SPANISH_F = """Adriana Alejandra Beatriz Carmen Claudia Daniela Elena Gabriela Isabel Laura Lucía
    Mariana Paola Rosa Sofía Valeria""".split()
SPANISH_FAMILY = """Acosta Aguilar Álvarez Castillo Castro Cortés Delgado Díaz Estrada Fernández Flores
    García Gómez Guerrero Gutiérrez Herrera Jiménez López Martínez Mendoza Molina Morales Navarro
    Ortega Ortiz Paredes Pérez Ramírez Ramos Reyes Ríos Rojas Romero Ruiz Salazar Sánchez Soto
    Suárez Torres Vargas""".split()

WEST_AFRICAN_M = """Abdoulaye Adama Alassane Aliou Amadou Bakary Boubacar Cheikh Demba Habib Hamidou
    Ibrahima Issa Kalilou Lamine Mahamadou Mamadou Modibo Moussa Oumar Ousmane Salif Samba Sékou
    Seydou Souleymane Tidiane Yacouba Youssouf""".split()
WEST_AFRICAN_F = "Aïssata Aminata Awa Fanta Fatoumata Hawa Kadiatou Mariam Oumou Ramatou Rokia Salimata".split()
WEST_AFRICAN_FAMILY = """Ba Bah Barry Camara Cissé Coulibaly Dembélé Diakité Diallo Diarra Dicko Diop
    Doumbia Fofana Gueye Kanté Keïta Koné Konaté Maïga Ndiaye Ouédraogo Sangaré Sawadogo Sidibé Sow
    Sylla Touré Traoré Yattara Zongo""".split()

# --- organisation and group name parts ------------------------------------------------------------

ORG_PLACES = """Aktobe Aleppo Almaty Andijan Ashgabat Baku Balkh Bamako Bishkek Bukhara Cartagena Dakar
    Dushanbe Erbil Fergana Gao Ganja Herat Homs Isfahan Izmir Kabul Kandahar Karaganda Karachi Khiva
    Kirkuk Konya Lahore Mashhad Medellín Mersin Monterrey Mosul Namangan Niamey Nukus Osh Quetta
    Samarkand Sarajevo Shiraz Skopje Tabriz Tashkent Tijuana Timbuktu Tirana Trabzon""".split()
ORG_BRANDS = """Altyn Amber Aral Atlas Caravan Cedar Cobalt Crescent Eastgate Falcon Granite Horizon
    Lotus Meridian Nomad Nova Oasis Onyx Orchid Pinnacle Polaris Saffron Sapphire Silk Steppe
    Summit Sunkar Sunrise Tulpar Turquoise Vertex Zenith""".split()
ORG_SECTORS = """Agro Capital Cement Construction Cotton Energy Finance Foods Freight Insurance Logistics
    Media Mining Motors Petroleum Pharma Security Shipping Software Steel Telecom Textile Trading
    Water""".split()
ORG_FORMS = [
    "Company",
    "Group",
    "Holding",
    "LLC",
    "Ltd",
    "Corporation",
    "Partners",
    "Trading House",
    "Enterprises",
    "International",
]
NGO_CAUSES = [
    "Rural Development",
    "Human Rights",
    "Refugee Support",
    "Water Access",
    "Youth Education",
    "Civic Dialogue",
    "Media Freedom",
    "Public Health",
    "Mine Action",
    "Legal Aid",
    "Women's Rights",
    "Disaster Relief",
]
NGO_FORMS = [
    "Foundation for {cause}",
    "{cause} Association",
    "Centre for {cause}",
    "{cause} Network",
    "{cause} Initiative",
    "Council for {cause}",
]
GROUP_HEADS = "Ansar Harakat Jabhat Jaish Jamaat Katibat Lashkar Liwa Saraya Tehrik".split()
GROUP_WORDS = """al-Aqsa al-Badr al-Burhan al-Fajr al-Fath al-Haqq al-Hijra al-Huda al-Iman al-Islah
    al-Izza al-Karama al-Khilafa al-Mujahidin al-Nasr al-Nur al-Qadisiya al-Rahman al-Sabr al-Salam
    al-Sunna al-Tawhid al-Thabat al-Wafa al-Yaqin al-Ansar al-Furat al-Hamza al-Ikhlas al-Jihad
    al-Muhajirin al-Qisas al-Ribat al-Sayf al-Shahada""".split()
GROUP_REGIONS = [
    "",
    " al-Sharqiya",
    " al-Gharbiya",
    " al-Shamal",
    " al-Janub",
    " al-Wusta",
    " fi Bilad al-Sham",
    " Khurasan",
    " al-Sahil",
    " al-Qawqaz",
]
CYBER_COLOURS = """Amber Ashen Azure Black Bronze Cobalt Copper Crimson Emerald Golden Granite Grey Indigo
    Ivory Jade Obsidian Onyx Scarlet Silver Violet""".split()
CYBER_ANIMALS = """Badger Bear Cobra Condor Coyote Eagle Falcon Ferret Gecko Hawk Heron Hyena Ibex Jackal
    Lynx Marmot Mole Otter Owl Panda Raven Scorpion Shrike Spider Tiger Viper Vulture Weasel Wolf
    Wolverine""".split()
CYBER_SUFFIXES = "Bot Crypt Loader Locker Net RAT Spy Stealer".split()
NETWORK_FORMS = ["{name} Network", "{name} Clan", "{name} Cartel", "{name} Brotherhood", "{name} Family"]


def _russian(rng: random.Random) -> str:
    female = rng.random() < 0.3
    given = rng.choice(RUSSIAN_F if female else RUSSIAN_M)
    family = rng.choice(RUSSIAN_FAMILY) + ("a" if female else "")
    if rng.random() < 0.3:
        patronymic = rng.choice(RUSSIAN_PATRONYMIC)
        if female:
            patronymic = patronymic[: -len("ich")] + "na"
        return f"{given} {patronymic} {family}"
    return f"{given} {family}"


def _central_asian(rng: random.Random) -> str:
    female = rng.random() < 0.3
    first = rng.choice(CENTRAL_ASIAN_F if female else CENTRAL_ASIAN_M)
    family = rng.choice(CENTRAL_ASIAN_FAMILY)
    if female and not family.endswith("zoda"):
        family += "a"
    shape = rng.random()
    if shape < 0.06:  # Kyrgyz style: father's name with "son of" / "daughter of"
        return f"{first} {rng.choice(CENTRAL_ASIAN_M)} {'kyzy' if female else 'uulu'}"
    if shape < 0.3:
        return f"{first} {rng.choice(CENTRAL_ASIAN_M)} {family}"
    return f"{first} {family}"


def _arabic(rng: random.Random) -> str:
    if rng.random() < 0.25:
        return f"{rng.choice(ARABIC_F)} {rng.choice(ARABIC_FAMILY)}"
    shape = rng.random()
    if shape < 0.45:
        return f"{rng.choice(ARABIC_M)} {rng.choice(ARABIC_FAMILY)}"
    if shape < 0.9:
        return f"{rng.choice(ARABIC_M)} {rng.choice(ARABIC_M)} {rng.choice(ARABIC_FAMILY)}"
    return f"Abu {rng.choice(ARABIC_M)} {rng.choice(ARABIC_FAMILY)}"


def _persian(rng: random.Random) -> str:
    if rng.random() < 0.3:
        return f"{rng.choice(PERSIAN_F)} {rng.choice(PERSIAN_FAMILY)}"
    if rng.random() < 0.4:
        return f"{rng.choice(PERSIAN_M)} {rng.choice(PERSIAN_M)} {rng.choice(PERSIAN_FAMILY)}"
    return f"{rng.choice(PERSIAN_M)} {rng.choice(PERSIAN_FAMILY)}"


def _pashto(rng: random.Random) -> str:
    if rng.random() < 0.2:
        return f"{rng.choice(PASHTO_F)} {rng.choice(PASHTO_FAMILY)}"
    prefix = rng.choice(["", "", "Mohammad ", "Haji ", "Abdul "])
    return f"{prefix}{rng.choice(PASHTO_M)} {rng.choice(PASHTO_FAMILY)}"


def _turkish(rng: random.Random) -> str:
    given = TURKISH_F if rng.random() < 0.3 else TURKISH_M
    if rng.random() < 0.35:
        return f"{rng.choice(given)} {rng.choice(given)} {rng.choice(TURKISH_FAMILY)}"
    return f"{rng.choice(given)} {rng.choice(TURKISH_FAMILY)}"


def _chinese(rng: random.Random) -> str:
    given = rng.choice(CHINESE_SYLLABLES)
    if rng.random() < 0.8:
        given += rng.choice(CHINESE_SYLLABLES)
    return f"{rng.choice(CHINESE_FAMILY)} {given.capitalize()}"


def _spanish(rng: random.Random) -> str:
    given = rng.choice(SPANISH_F if rng.random() < 0.3 else SPANISH_M)
    first, second = rng.sample(SPANISH_FAMILY, 2)
    return f"{given} {first} {second}" if rng.random() < 0.7 else f"{given} {first}"


def _west_african(rng: random.Random) -> str:
    given = WEST_AFRICAN_F if rng.random() < 0.3 else WEST_AFRICAN_M
    if rng.random() < 0.35:
        return f"{rng.choice(given)} {rng.choice(given)} {rng.choice(WEST_AFRICAN_FAMILY)}"
    return f"{rng.choice(given)} {rng.choice(WEST_AFRICAN_FAMILY)}"


PERSON_MAKERS = (_russian, _central_asian, _arabic, _persian, _pashto, _turkish, _chinese, _spanish, _west_african)
FAMILY_NAMES = (
    RUSSIAN_FAMILY
    + CENTRAL_ASIAN_FAMILY
    + PERSIAN_FAMILY
    + PASHTO_FAMILY
    + TURKISH_FAMILY
    + SPANISH_FAMILY
    + WEST_AFRICAN_FAMILY
)


def _organization(rng: random.Random) -> str:
    shape = rng.random()
    if shape < 0.8:
        head = rng.choice(ORG_PLACES if shape < 0.45 else ORG_BRANDS)
        return f"{head} {rng.choice(ORG_SECTORS)} {rng.choice(ORG_FORMS)}"
    place = rng.choice(ORG_PLACES)
    return f"{place} {rng.choice(NGO_FORMS).format(cause=rng.choice(NGO_CAUSES))}"


def _group(rng: random.Random) -> tuple[str, str]:
    """(name, stix type) of a synthetic group."""
    shape = rng.random()
    if shape < 0.5:
        return f"{rng.choice(GROUP_HEADS)} {rng.choice(GROUP_WORDS)}{rng.choice(GROUP_REGIONS)}", "threat-actor"
    if shape < 0.8:
        name = rng.choice(FAMILY_NAMES + ORG_PLACES)
        return rng.choice(NETWORK_FORMS).format(name=name), "threat-actor"
    if shape < 0.9:
        return f"{rng.choice(CYBER_COLOURS)} {rng.choice(CYBER_ANIMALS)}", "intrusion-set"
    return f"{rng.choice(CYBER_ANIMALS)}{rng.choice(CYBER_SUFFIXES)}", "intrusion-set"


# --- data ----------------------------------------------------------------------------------------


def fold(name: str) -> str:
    """Comparison key: ASCII, lower case, words only, without a leading "the"."""
    key = re.sub(r"[^a-z0-9]+", " ", anyascii(name).lower()).strip()
    return key[4:] if key.startswith("the ") else key


def load_articles(path: Path = DATA / "articles.json") -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))


def load_seed(path: Path = DATA / "knowledge.json") -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))


def _article_phrases(articles: list[dict], longest: int = 6) -> set[str]:
    """Every run of up to `longest` words of the articles, folded."""
    phrases = set()
    for article in articles:
        words = fold(article["text"]).split()
        for size in range(1, longest + 1):
            phrases.update(" ".join(words[i : i + size]) for i in range(len(words) - size + 1))
    return phrases


def synthetic_entities(count: int, articles: list[dict], seed: list[dict]) -> tuple[list[dict], int]:
    """`count` synthetic entities (80% persons, 17% organisations, 3% groups), deterministic, and how
    many generated names were skipped because they are gold or seed names or occur in an article."""
    rng = random.Random(SEED)
    taken = {fold(n) for e in seed for n in (e["name"], *e["aliases"])}
    forbidden = _article_phrases(articles) | {fold(n) for a in articles for names in a["gold"].values() for n in names}
    skipped = 0
    entities = []
    quotas = [("person", round(count * 0.80)), ("organization", round(count * 0.17))]
    quotas.append(("group", count - sum(q for _, q in quotas)))
    for kind, quota in quotas:
        made, attempts = 0, 0
        while made < quota:
            attempts += 1
            if attempts > 50 * quota:
                raise ValueError(f"the name lists cannot make {quota:,} distinct {kind} names")
            if kind == "person":
                name, stix_type = rng.choice(PERSON_MAKERS)(rng), "identity"
            elif kind == "organization":
                name, stix_type = _organization(rng), "identity"
            else:
                name, stix_type = _group(rng)
            key = fold(name)
            if key in taken:
                continue
            taken.add(key)
            if key in forbidden:
                skipped += 1
                continue
            entities.append(
                {
                    "id": f"{stix_type}--{uuid.UUID(int=rng.getrandbits(128), version=4)}",
                    "kind": kind,
                    "name": name,
                    "aliases": [],
                }
            )
            made += 1
    return entities, skipped


def build_index(entities: list[dict]) -> KnowledgeIndex:
    index = KnowledgeIndex()
    index.add(
        KnownEntity(stix_id=e["id"], kind=e["kind"], name=e["name"], aliases=tuple(e["aliases"])) for e in entities
    )
    return index


# --- evaluation ----------------------------------------------------------------------------------


def _predicted(result) -> dict[str, dict[str, tuple[str, set[str]]]]:
    """Per kind, the distinct predicted entities: folded name -> (name, keys it may match under)."""
    by_kind: dict[str, dict[str, tuple[str, set[str]]]] = {kind: {} for kind in KINDS}
    for entity in result.entities:
        kind = "organization" if entity.kind == "group" else entity.kind
        if kind not in by_kind:
            continue
        key = fold(entity.name)
        _name, keys = by_kind[kind].setdefault(key, (entity.name, {key}))
        if kind == "location":
            keys.update(fold(m.text) for m in entity.mentions)
    return by_kind


def _score(gold: list[str], predicted: dict[str, tuple[str, set[str]]]) -> tuple[int, list[str], list[str]]:
    """(true positives, false positives, false negatives) of one article and kind."""
    missing = {fold(name): name for name in gold}
    false_positives = []
    # Exact name matches first, so that a mention text never takes a gold name another entity bears.
    for key in sorted(predicted, key=lambda k: (k not in missing, k)):
        name, keys = predicted[key]
        hit = key if key in missing else min(keys & missing.keys(), default=None)
        if hit is None:
            false_positives.append(name)
        else:
            del missing[hit]
    return len(predicted) - len(false_positives), false_positives, sorted(missing.values())


def evaluate(index: KnowledgeIndex, articles: list[dict], rounds: int = 1, model=None) -> dict:
    """Precision and recall per kind over `articles`, the errors per article, and the speed.

    Returns {"articles", "seconds" (best round), "articles_per_second",
    "kinds": {kind: {"gold", "predicted", "tp", "fp", "fn", "precision", "recall"}},
    "errors": [{"article", "kind", "false_positives", "false_negatives"}]}. `model` is the
    statistical recogniser, as drafts run it (None: the rules alone).
    """
    published = [datetime.date.fromisoformat(a["published"]) for a in articles]
    texts = [checked(Document(a["text"])).text for a in articles]  # as drafts read them: no boilerplate
    results = []
    best = float("inf")
    for _ in range(max(1, rounds)):
        started = time.perf_counter()
        results = [
            extract(text, published=day, index=index, model=model) for text, day in zip(texts, published, strict=True)
        ]
        best = min(best, time.perf_counter() - started)

    totals = {kind: {"gold": 0, "predicted": 0, "tp": 0, "fp": 0, "fn": 0} for kind in KINDS}
    errors = []
    for article, result in zip(articles, results, strict=True):
        predicted = _predicted(result)
        for kind in KINDS:
            gold = article["gold"][kind]
            tp, fps, fns = _score(gold, predicted[kind])
            total = totals[kind]
            total["gold"] += len(gold)
            total["predicted"] += len(predicted[kind])
            total["tp"] += tp
            total["fp"] += len(fps)
            total["fn"] += len(fns)
            if fps or fns:
                errors.append({"article": article["id"], "kind": kind, "false_positives": fps, "false_negatives": fns})
    for total in totals.values():
        total["precision"] = total["tp"] / total["predicted"] if total["predicted"] else 0.0
        total["recall"] = total["tp"] / total["gold"] if total["gold"] else 0.0
    return {
        "articles": len(articles),
        "seconds": best,
        "articles_per_second": len(articles) / best if best > 0 else float("inf"),
        "kinds": totals,
        "errors": errors,
    }


def baseline(names: list[str], articles: list[dict], rounds: int) -> tuple[float, int]:
    """(best seconds, matches) of a bare Aho–Corasick scan of the lower-cased articles over `names`."""
    automaton = ahocorasick.Automaton()
    for number, name in enumerate(names):
        automaton.add_word(name.lower(), number)
    automaton.make_automaton()
    texts = [a["text"] for a in articles]
    best, matches = float("inf"), 0
    for _ in range(max(1, rounds)):
        started = time.perf_counter()
        matches = sum(1 for text in texts for _ in automaton.iter(text.lower()))
        best = min(best, time.perf_counter() - started)
    return best, matches


# --- report --------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--names", type=int, default=100_000, help="entities in the knowledge base (seed included)")
    parser.add_argument("--rounds", type=int, default=3, help="timed passes over the articles; the best is kept")
    parser.add_argument("--errors", action="store_true", help="list false positives and negatives per article")
    parser.add_argument(
        "--articles",
        type=Path,
        default=DATA / "articles.json",
        help="labelled articles to evaluate (default: bench/data/articles.json)",
    )
    parser.add_argument(
        "--model",
        action="store_true",
        help="run the statistical recogniser too, as drafts do (the default is the rules alone)",
    )
    parser.add_argument(
        "--conll",
        action="store_true",
        help="instead: Liaison's drafts and spaCy's model side by side on CoNLL-2003 news (bench/conll.py)",
    )
    args = parser.parse_args(argv)
    if args.conll:
        import conll

        return conll.main(errors=args.errors)

    articles = load_articles(args.articles)
    seed = load_seed()
    synthetic, skipped = synthetic_entities(max(0, args.names - len(seed)), articles, seed)
    entities = seed + synthetic
    started = time.perf_counter()
    index = build_index(entities)
    built = time.perf_counter() - started
    print(
        f"knowledge base: {len(entities):,} entities ({len(seed)} seed, {len(synthetic):,} synthetic; "
        f"{skipped} generated names skipped as gold or article text), indexed in {built:.2f} s"
    )

    model = None
    if args.model:
        from liaison.ingest.extract import statistical

        model, status = statistical.recogniser()
        print(f"statistical recogniser: {status.detail}")
    report = evaluate(index, articles, rounds=args.rounds, model=model)
    print(f"articles: {report['articles']}\n")
    print(f"{'kind':<13}{'gold':>6}{'pred':>6}{'tp':>6}{'precision':>11}{'recall':>8}")
    met = True
    for kind, t in report["kinds"].items():
        ok = t["precision"] >= TARGETS["precision"] and t["recall"] >= TARGETS["recall"]
        met &= ok
        print(
            f"{kind:<13}{t['gold']:>6}{t['predicted']:>6}{t['tp']:>6}{t['precision']:>11.3f}{t['recall']:>8.3f}"
            f"  {'ok' if ok else 'below target'}"
        )

    base_seconds, matches = baseline([e["name"] for e in entities], articles, args.rounds)
    rate = report["articles_per_second"]
    base_rate = len(articles) / base_seconds if base_seconds > 0 else float("inf")
    met &= rate >= TARGETS["articles_per_second"]
    print(f"\npipeline: {rate:,.1f} articles/s (best of {args.rounds})")
    print(
        f"baseline: {base_rate:,.1f} articles/s (pyahocorasick over {len(entities):,} lower-cased names, "
        f"{matches} raw matches)"
    )
    print(f"ratio pipeline/baseline: {rate / base_rate:.4f} (the pipeline takes {base_rate / rate:.1f}x as long)")
    print(
        f"targets (precision >= {TARGETS['precision']}, recall >= {TARGETS['recall']} per kind, "
        f">= {TARGETS['articles_per_second']:.0f} articles/s): {'met' if met else 'NOT met'}"
    )

    if args.errors:
        print("\nerrors (FP: predicted, not in gold; FN: in gold, not predicted):")
        for error in report["errors"]:
            parts = []
            if error["false_positives"]:
                parts.append("FP " + "; ".join(error["false_positives"]))
            if error["false_negatives"]:
                parts.append("FN " + "; ".join(error["false_negatives"]))
            print(f"  {error['article']} {error['kind']:<12} {' | '.join(parts)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
