"""Observables in report text: network indicators, hashes, phone numbers, accounts and wallets."""

from __future__ import annotations

import pytest

from liaison.ingest.extract.mentions import OBSERVABLE_KINDS
from liaison.ingest.extract.observables import find_observables, refang, top_level_domains

XMR = "44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A"


def found(text: str, regions: tuple[str, ...] = ()) -> list[tuple[str, str, str]]:
    mentions = find_observables(text, regions)
    for m in mentions:
        assert text[m.start : m.end] == m.text
        assert m.kind in OBSERVABLE_KINDS
        assert m.source == "pattern"
    return [(m.kind, m.text, m.value) for m in mentions]


def values(text: str, kind: str, regions: tuple[str, ...] = ()) -> list[str]:
    return [value for k, _text, value in found(text, regions) if k == kind]


def test_defanged_network_indicators_are_refanged():
    text = (
        "The loader fetched its second stage from hxxps://update-srv[.]net/img/logo.png, then "
        "beaconed to 185.220.101[.]47 and to cdn-sync(.)info; the operator used ops-team[@]protonmail.com."
    )
    assert found(text) == [
        ("url", "hxxps://update-srv[.]net/img/logo.png", "https://update-srv.net/img/logo.png"),
        ("ipv4-addr", "185.220.101[.]47", "185.220.101.47"),
        ("domain-name", "cdn-sync(.)info", "cdn-sync.info"),
        ("email-addr", "ops-team[@]protonmail.com", "ops-team@protonmail.com"),
    ]


def test_refang_forms():
    assert refang("hXXp://a[.]b(.)c[dot]d/x") == "http://a.b.c.d/x"
    assert refang("fxp[:]//files[.]example[.]org") == "ftp://files.example.org"
    assert refang("user[at]example[.]org") == "user@example.org"


def test_url_trailing_punctuation_and_brackets_are_not_part_of_it():
    text = 'Victims were lured to "http://login-secure.example.com/verify?id=7". (See https://example.org/a_(b)).'
    assert values(text, "url") == ["http://login-secure.example.com/verify?id=7", "https://example.org/a_(b)"]


def test_domains_inside_urls_and_emails_are_not_repeated():
    text = "Mail from admin@corp-mail.ru linked to https://corp-mail.ru/reset and to http://10.0.0.5/panel."
    kinds = [kind for kind, _t, _v in found(text)]
    assert kinds == ["email-addr", "url", "url"]


def test_emails_are_lower_cased():
    assert values("Write to Ivan.Petrov@Mail.RU today.", "email-addr") == ["ivan.petrov@mail.ru"]


def test_domains_need_a_real_top_level_domain():
    text = "The group registered kabul-news.xyz, secure-pay.co.uk and files.example.notatld last month."
    assert values(text, "domain-name") == ["kabul-news.xyz", "secure-pay.co.uk"]
    assert {"com", "org", "uk", "ru", "af", "xyz"} <= top_level_domains()


def test_special_use_domains_are_domains():
    text = "Mail went to ops@mail.example and the panel at hiddenpanel.onion."
    assert [(k, v) for k, _t, v in found(text)] == [
        ("email-addr", "ops@mail.example"),
        ("domain-name", "hiddenpanel.onion"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "The U.S. and the U.K. agreed, e.g. on sanctions.",
        "Analysts read report.pdf and notes.docx before lunch.",
        "The dropper arrived as invoice.zip and ran setup.sh from the archive.",
        "The attack ended.It was over by 3.15 p.m. on Tuesday.",
        "Version 2.4.1 of the tool was seen at 10:45:30 local time.",
    ],
)
def test_ordinary_text_holds_no_domains(text):
    assert found(text) == []


def test_a_defanged_name_with_a_file_extension_tld_is_a_domain():
    assert values("Payloads were staged on dropbox-share[.]zip.", "domain-name") == ["dropbox-share.zip"]


def test_ip_addresses_are_validated():
    text = "Scans came from 45.133.1.20 and 2a03:2880:f12f:83:face:b00c::25de, not from 312.45.1.9 or 1.2.3."
    assert values(text, "ipv4-addr") == ["45.133.1.20"]
    assert values(text, "ipv6-addr") == ["2a03:2880:f12f:83:face:b00c:0:25de"]


@pytest.mark.parametrize(
    ("digest", "hash_type"),
    [
        ("44D88612FEA8A8F36DE82E1278ABB02F", "MD5"),
        ("3395856ce81f2b7382dee72602f798b642f14140", "SHA-1"),
        ("275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f", "SHA-256"),
        (
            "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
            "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e",
            "SHA-512",
        ),
    ],
)
def test_hashes_are_typed_by_length(digest, hash_type):
    mentions = find_observables(f"The sample ({digest}) was uploaded twice.")
    assert [(m.kind, m.value, m.attrs) for m in mentions] == [("file", digest.lower(), {"hash_type": hash_type})]


def test_hex_of_other_lengths_is_no_hash():
    assert found("Build id 44d88612fea8a8f36de82e1278abb02fa and token 0000000000000000000000000000000.") == []


def test_international_phone_numbers_anywhere():
    text = "Couriers called +93 70 123 4567 and +7 (495) 123-45-67 before the raid."
    assert found(text) == [
        ("phone-number", "+93 70 123 4567", "+93701234567"),
        ("phone-number", "+7 (495) 123-45-67", "+74951234567"),
    ]
    assert [m.attrs for m in find_observables(text)] == [{"country": "AF"}, {"country": "RU"}]


def test_national_phone_numbers_use_the_countries_named_in_the_text():
    text = "Police in Moscow said the suspect's phone number was 8 (916) 555-12-34."
    assert found(text) == [("phone-number", "8 (916) 555-12-34", "+79165551234")]


def test_national_phone_numbers_need_a_cue_and_a_region():
    assert found("Police said the number was 8 (916) 555-12-34.") == []  # no country named
    assert found("In Moscow, 8 (916) 555-12-34 people gathered.") == []  # no cue word
    assert values("Call 020 7946 0958 for details.", "phone-number", regions=("GB",)) == ["+442079460958"]


def test_dates_and_amounts_are_not_phone_numbers():
    text = "On 12.03.2025 Russian police seized 1,250,000 rubles and 2025-03-12 was the filing date."
    assert values(text, "phone-number") == []


def test_iban_is_validated_and_compacted():
    text = "Funds moved to DE89 3704 0044 0532 0130 00 EUR and then to GB82WEST12345698765432."
    mentions = [m for m in find_observables(text) if m.kind == "bank-account"]
    assert [(m.text, m.value, m.attrs) for m in mentions] == [
        ("DE89 3704 0044 0532 0130 00", "DE89370400440532013000", {"country": "DE"}),
        ("GB82WEST12345698765432", "GB82WEST12345698765432", {"country": "GB"}),
    ]


def test_iban_with_a_bad_checksum_is_kept_unverified():
    # It used to be dropped silently; now the analyst sees it, marked, and decides (a typo in the
    # article is still a lead). A run that is no IBAN at all is still nothing.
    mentions = find_observables("Account DE89 3704 0044 0532 0130 01 was closed.")
    assert [(m.value, m.attrs) for m in mentions] == [
        ("DE89370400440532013001", {"country": "DE", "verified": False, "reason": "checksum fails"})
    ]
    assert values("Account DE89 3704 0044 0532 0130 was closed.", "bank-account") == []  # too short for DE
    assert values("Reference GB82WEST1234569876543 was closed.", "bank-account") == []  # too short for GB


def test_wallets_are_validated():
    text = (
        f"Ransom went to 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2, 3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy, "
        f"bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq, "
        f"bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297, "
        f"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed, TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t and {XMR}."
    )
    mentions = [m for m in find_observables(text) if m.kind == "cryptocurrency-wallet"]
    assert [(m.value, m.attrs["currency"]) for m in mentions] == [
        ("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", "BTC"),
        ("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "BTC"),
        ("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "BTC"),
        ("bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297", "BTC"),
        ("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", "ETH"),
        ("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "USDT-TRC20"),
        (XMR, "XMR"),
    ]


@pytest.mark.parametrize(
    "address",
    [
        "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3",  # Base58Check checksum broken
        "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdr",  # Bech32 checksum broken
        "bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3298",  # Bech32m checksum broken
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD",  # EIP-55 capitals wrong
        "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u",
        XMR[:50] + "z" + XMR[51:],  # Keccak checksum broken
    ],
)
def test_wallets_with_broken_checksums_are_kept_unverified(address):
    # They used to be dropped silently; now they are kept, marked unverified, for the analyst to
    # accept or not (drafts leave them out by default).
    mentions = find_observables(f"The wallet {address} was listed.")
    assert [(m.kind, m.text, m.attrs["verified"], m.attrs["reason"]) for m in mentions] == [
        ("cryptocurrency-wallet", address, False, "checksum fails")
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Code 1BvBMSEYstWetqTFn5Au4m4GFg7 was listed.",  # too short to decode to an address
        "Token bc1qar0srrr7xfkvy5l643lyd was listed.",  # no 'bc1' address has this length
        "Serial TXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX was listed.",  # no address is one letter repeated
        "Serial 3J98T1WPEZ73CNMQVIECRNYIWRNQRHWNLY was listed.",  # nor all capitals and digits
    ],
)
def test_runs_that_only_look_like_wallets_are_not_kept(text):
    assert values(text, "cryptocurrency-wallet") == []


def test_one_value_is_read_as_the_extractor_reads_it():
    from liaison.ingest.extract.observables import read_observable

    assert read_observable("url", "hxxp://evil[.]org/x").value == "http://evil.org/x"
    assert read_observable("domain-name", "Evil.ORG").value == "evil.org"
    assert read_observable("phone-number", "8 (916) 555-12-34", ("RU",)).value == "+79165551234"
    assert read_observable("bank-account", "DE89 3704 0044 0532 0130 00").attrs == {"country": "DE"}
    for kind, written, words in [
        ("cryptocurrency-wallet", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3", "its checksum fails"),
        ("ipv4-addr", "1.2.3", "not a valid IPv4 address"),
        ("domain-name", "evil.org and more", "not a valid domain name"),
        ("planet", "Mars", "not a kind of observable"),
    ]:
        with pytest.raises(ValueError, match=words):
            read_observable(kind, written)


def test_a_sha1_after_0x_is_an_ethereum_address_not_a_hash():
    kinds = [k for k, _t, _v in found("Tokens left 0xfb6916095ca1df60bb79ce92ce3ea74c37c5d359 overnight.")]
    assert kinds == ["cryptocurrency-wallet"]


def test_ordinary_news_holds_no_observables():
    text = (
        "Russian Security Council Secretary met Afghan officials in Kabul on Tuesday to discuss "
        "counter-terrorism and drug trafficking. About 1,200 kilograms of heroin were seized in 2024, "
        "up 15.5 percent on the year, officials said at 10:30 a.m."
    )
    assert found(text) == []
