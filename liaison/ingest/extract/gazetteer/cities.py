"""City names as English news writes them, where geonames ranks another form or another city first."""

from __future__ import annotations

#: Form -> (ISO alpha-2, geonames name of the city meant): exonyms, old names and usual short forms.
PREFERRED_CITIES = {
    "Kiev": ("UA", "Kyiv"), "Odessa": ("UA", "Odesa"), "Kharkov": ("UA", "Kharkiv"), "Lvov": ("UA", "Lviv"),
    "Nikolaev": ("UA", "Mykolayiv"), "Mykolaiv": ("UA", "Mykolayiv"), "Lugansk": ("UA", "Luhansk"),
    "Dnepropetrovsk": ("UA", "Dnipro"), "Dnipropetrovsk": ("UA", "Dnipro"), "Zaporozhye": ("UA", "Zaporizhzhya"),
    "Zaporizhzhia": ("UA", "Zaporizhzhya"), "Kirovograd": ("UA", "Kropyvnytskyi"),
    "Bombay": ("IN", "Mumbai"), "Calcutta": ("IN", "Kolkata"), "Madras": ("IN", "Chennai"),
    "Bangalore": ("IN", "Bengaluru"), "Gurgaon": ("IN", "Gurugram"), "Allahabad": ("IN", "Prayagraj"),
    "Baroda": ("IN", "Vadodara"), "Poona": ("IN", "Pune"),
    "Peking": ("CN", "Beijing"), "Saigon": ("VN", "Ho Chi Minh City"), "Rangoon": ("MM", "Yangon"),
    "Constantinople": ("TR", "Istanbul"), "Leningrad": ("RU", "Saint Petersburg"),
    "St Petersburg": ("RU", "Saint Petersburg"), "St. Petersburg": ("RU", "Saint Petersburg"),
    "Nur-Sultan": ("KZ", "Astana"), "Alma-Ata": ("KZ", "Almaty"), "Frunze": ("KG", "Bishkek"),
    "Ashkhabad": ("TM", "Ashgabat"), "Chittagong": ("BD", "Chattogram"), "Dacca": ("BD", "Dhaka"),
    "Tiflis": ("GE", "Tbilisi"), "Mecca": ("SA", "Makkah"), "Medina": ("SA", "Madinah"),
    "Mazar": ("AF", "Mazār-e Sharīf"), "Mazar-i-Sharif": ("AF", "Mazār-e Sharīf"),
    "Faizabad": ("AF", "Fayzabad"), "Termez": ("UZ", "Tirmiz"), "Khorog": ("TJ", "Khorugh"),
    "Bethlehem": ("PS", "Bethlehem"),
    "Munich": ("DE", "Munich"), "Cologne": ("DE", "Koln"),
}
