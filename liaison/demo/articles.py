"""Open-source articles of the demo world, turned into draft reports for two analysts to review.

Invented news copy about the invented people and groups of liaison.demo.world, spelled the way wire
services might spell them (Kakhkhorov for Qahhorov, Farkhod for Farhod), so the review screen shows
resolution, flags and new entities from the first start.
"""

from __future__ import annotations

ARTICLES: list[dict] = [
    {
        "user": "psc.analyst",
        "title": "Tajik and Afghan officials discuss militants in Badakhshan",
        "source": "https://wire.example/central-asia/2025/10/badakhshan-talks",
        "published": "2025-10-16",
        "text": (
            "DUSHANBE, Oct 16 — Security officials from Tajikistan and Afghanistan met in Khorog on Tuesday "
            "to discuss the movement of fighters of Harakat Nur al-Wadi along the Panj river, two people who "
            "attended the meeting said.\n\n"
            "Deputy Interior Minister Rustam Nazarzoda told reporters that the group's leader, Abdulvosit "
            "Kakhkhorov, had moved part of his forces from Kunduz towards Faizabad last month. Kakhkhorov's "
            "deputy, Farkhod Sharipov, was seen in Ishkashim in early October, according to a regional "
            "security source.\n\n"
            "The Afghan delegation was led by Mawlawi Abdul Hakim Saqib, a spokesman for the provincial "
            "administration, who said the border districts were under control. Messages claiming the "
            "group's attacks were spread from the channel nurwadi-media[.]example, and donations were "
            "requested to the wallet bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq."
        ),
    },
    {
        "user": "dcs.analyst",
        "title": "Heroin seized at Osh checkpoint",
        "source": "Alatau Evening Bulletin",
        "published": "2025-09-03",
        "text": (
            "OSH, Sept 3 — Officers of the Drug Control Service seized 48 kilograms of heroin hidden in the "
            "spare tyres of a lorry at a checkpoint near Osh yesterday, the service said in a statement.\n\n"
            "The driver, a 41-year-old citizen of Uzbekistan, was detained. Police spokesman Talant "
            "Asanov said the consignment had entered Kyrgyzstan from Tajikistan and was bound for "
            "Kazakhstan. Investigators are checking calls from the driver's phone, +996 555 010 447, "
            "and a payment to the Turkish account TR33 0006 1005 1978 6457 8413 26 is being traced.\n\n"
            "The Uzbek and Kazakh border services were informed, Asanov added."
        ),
    },
]
