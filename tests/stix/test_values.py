"""Value normalisation for correlation: equal things give equal (kind, key), whatever their spelling."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from liaison.errors import InvalidInput
from liaison.stix.values import (
    MIN_PREFIX,
    Posting,
    addresses,
    display,
    lookup_keys,
    normalise,
    patterns,
    postings,
    ranges,
)

ETH = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"  # EIP-55's own example
BTC_LEGACY = "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"
BTC_SEGWIT = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
BTC_TAPROOT = "bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297"
TRON = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"
MONERO = "44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A"
SHA256_EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
MD5_EMPTY = "d41d8cd98f00b204e9800998ecf8427e"


def _one(value: str, type_: str | None = None) -> Posting:
    found = normalise(value, type_)
    assert len(found) == 1, found
    return found[0]


def _pattern(text: str) -> set[tuple[str, str]]:
    return {(p.kind, p.key) for p in postings({"type": "indicator", "pattern_type": "stix", "pattern": text})}


# Addresses


def _ipv4_spellings(address: ipaddress.IPv4Address) -> list[str]:
    octets = str(address).split(".")
    mapped = int(address)
    return [
        str(address),
        f"  {address}\t",
        ".".join(o.zfill(3) for o in octets),
        f"{address}/32",
        f"::ffff:{address}",
        f"::FFFF:{mapped >> 16:04X}:{mapped & 0xFFFF:04x}",
        f"0:0:0:0:0:ffff:{address}",
        f"::ffff:{address}/128",
    ]


@given(st.ip_addresses(v=4))
def test_any_spelling_of_an_ipv4_address_gives_one_key(address):
    keys = {(p.kind, p.key, p.shown) for spelling in _ipv4_spellings(address) for p in normalise(spelling)}
    assert keys == {("ipv4", f"{int(address):08x}", str(address))}


_DOTTED = st.one_of(
    st.ip_addresses(v=4).map(str),
    st.lists(st.text("0123456789", min_size=1, max_size=4), min_size=3, max_size=5).map(".".join),
    st.text("0123456789./ :abcdef", max_size=20),
)


@given(_DOTTED, st.sampled_from([4, None]))
def test_the_fast_reading_of_a_plain_ipv4_address_is_the_full_readings(text, version):
    """Most values are plain dotted quads, read without the ipaddress module: whatever the text,
    the posting is the one the full reading (ipaddress, with its explanations) makes, or none."""
    fast = addresses._PLAIN_IPV4.fullmatch(text)
    if fast:
        assert addresses._plain_ipv4(fast, []) == addresses._ipv4(text, [])
    try:
        full = addresses._ipv4(text, []) if version == 4 or addresses._PADDED_IPV4.fullmatch(text) else None
    except addresses._Invalid:
        full = None
    try:
        read = addresses._address(text, version, [])
    except addresses._Invalid:
        read = None
    if full is not None or fast:
        assert read == full


@given(st.ip_addresses(v=4))
def test_ipv4_addresses_correlate_from_either_sco_type(address):
    as_v4 = postings({"type": "ipv4-addr", "value": str(address)})
    as_mapped = postings({"type": "ipv6-addr", "value": f"::ffff:{address}"})
    assert [(p.kind, p.key) for p in as_v4] == [(p.kind, p.key) for p in as_mapped]
    assert as_mapped[0].how == "IPv4-mapped IPv6 read as IPv4"


@given(st.ip_addresses(v=6).filter(lambda a: a.ipv4_mapped is None))
def test_any_spelling_of_an_ipv6_address_gives_the_compressed_form(address):
    spellings = [address.compressed, address.exploded, address.exploded.upper(), f"{address.compressed}/128"]
    found = {(p.kind, p.key, p.shown) for s in spellings for p in normalise(s, "ipv6-addr")}
    assert found == {("ipv6", f"{int(address):032x}", address.compressed)}


@given(st.ip_addresses(v=4), st.ip_addresses(v=4))
def test_address_keys_sort_like_the_addresses(a, b):
    key_a, key_b = _one(str(a)).key, _one(str(b)).key
    assert (key_a < key_b) == (a < b)


def test_examples_of_addresses():
    assert _one("2001:0DB8:0000:0000:0000:0000:0000:0001") == Posting(
        "ipv6", "20010db8000000000000000000000001", "2001:db8::1", "compressed"
    )
    assert _one("192.168.1.77/24") == Posting("ipv4-net", "c0a80100/24", "192.168.1.0/24", "host bits cleared")
    assert _one("10.0.0.0/255.0.0.0").key == "0a000000/08"
    assert _one("2001:db8:abcd::/48").key == "20010db8abcd00000000000000000000/048"
    assert _one("::ffff:10.0.0.0/104") == Posting(
        "ipv4-net", "0a000000/08", "10.0.0.0/8", "IPv4-mapped IPv6 read as IPv4"
    )
    assert _one("fe80::1%eth0").shown == "fe80::1"
    assert _one("10.0.0.1/32").how == "a /32 is a single address"


def _networks(version: int):
    bits = 32 if version == 4 else 128
    return st.tuples(st.ip_addresses(v=version), st.integers(0, bits)).map(
        lambda t: ipaddress.ip_network(f"{t[0]}/{t[1]}", strict=False)
    )


def _near(network):
    """Addresses at and just beyond the network's edges, and one inside."""
    first, last = int(network.network_address), int(network.broadcast_address)
    top = 2**network.max_prefixlen - 1
    return st.sampled_from([first, last, max(first - 1, 0), min(last + 1, top), (first + last) // 2]).map(
        ipaddress.IPv4Address if network.version == 4 else ipaddress.IPv6Address
    )


@settings(max_examples=300)
@given(st.sampled_from([4, 6]).flatmap(lambda v: _networks(v).flatmap(lambda n: st.tuples(st.just(n), _near(n)))))
def test_network_ranges_and_lookup_keys_agree_with_containment(case):
    network, address = case
    if network.version == 6 and (address.ipv4_mapped or network.subnet_of(ipaddress.ip_network("::ffff:0:0/96"))):
        return  # mapped forms are IPv4: covered by the IPv4 cases
    net = _one(str(network))
    single = _one(str(address))
    inside = address in network
    in_range = any(kind == single.kind and low <= single.key <= high for kind, low, high in ranges(net))
    looked_up = (net.kind, net.key) in lookup_keys(single)
    if net.kind in MIN_PREFIX and network.prefixlen >= MIN_PREFIX[net.kind]:
        assert in_range == looked_up == inside
    elif net.kind in MIN_PREFIX:
        assert not in_range and not looked_up  # broader than a registry block: exact matches only
    else:
        assert (net.key == single.key) == inside


def test_lookup_keys_of_an_address_list_its_networks_down_to_the_bound():
    keys = lookup_keys(_one("10.1.2.3"))
    assert keys[0] == ("ipv4", "0a010203")
    assert ("ipv4-net", "0a010200/24") in keys and ("ipv4-net", "0a000000/08") in keys
    assert len(keys) == 1 + 32 - MIN_PREFIX["ipv4-net"]
    assert len(lookup_keys(_one("2001:db8::1"))) == 1 + 128 - MIN_PREFIX["ipv6-net"]
    assert lookup_keys(_one("example.org")) == [("domain-name", "example.org")]
    assert ranges(_one("example.org")) == [] and ranges(_one("10.0.0.1")) == []
    assert ranges(_one("0.0.0.0/0")) == []


# Domains, e-mail, URLs


def test_domains_are_keyed_by_their_a_label_and_shown_in_unicode():
    unicode, a_label = _one("Bücher.Example."), _one("xn--bcher-kva.example")
    assert unicode.key == a_label.key == "xn--bcher-kva.example"
    assert unicode.shown == a_label.shown == "bücher.example"
    assert unicode.how == "trailing dot removed; IDNA" and a_label.how == ""
    assert (
        _one(" WWW.Example.COM. ", "domain-name").how
        == "surrounding whitespace removed; trailing dot removed; lower-cased"
    )
    assert _one("_dmarc.example.com", "domain-name").key == "_dmarc.example.com"
    assert _one("faß.de").key == "xn--fa-hia.de"  # IDNA 2008: ß is kept, not mapped to 'ss'


def test_e_mail_local_parts_are_lower_cased_but_dots_and_tags_kept():
    found = _one("John.Smith+invoices@Bücher.Example")
    assert found.key == "john.smith+invoices@xn--bcher-kva.example"
    assert found.shown == "john.smith+invoices@bücher.example"
    assert found.how == "local part lower-cased; domain IDNA"
    assert _one("johnsmith@example.com").key != found.key


def test_urls_in_canonical_form():
    found = _one("HTTP://User@Example.COM:80/a%7eb/%2f%c3%a9?q=%41%2f&x=1#frag")
    assert found.key == "http://User@example.com/a~b/%2F%C3%A9?q=A%2F&x=1"
    assert "default port removed" in found.how and "fragment dropped" in found.how
    assert _one("https://bücher.example").key == "https://xn--bcher-kva.example/"
    assert _one("https://example.com:443").key == _one("https://example.com/").key
    assert _one("https://example.com:8443/").key == "https://example.com:8443/"
    assert _one("http://[2001:DB8::1]:8080/x").key == "http://[2001:db8::1]:8080/x"
    assert _one("http://example.com/cgi-bin/../../etc/passwd").key.endswith("/../../etc/passwd")
    assert _one("http://example.com/a b/é").key == "http://example.com/a%20b/%C3%A9"


# Numbers, accounts, wallets, hashes, identifiers


def test_phone_numbers_in_e164():
    assert _one("+49 151 1234 5678") == Posting("phone", "+4915112345678", "+4915112345678", "E.164")
    assert _one("+4915112345678", "phone-number").how == ""
    assert _one("0049 (151) 1234-5678", "phone").key == "+4915112345678"
    assert postings({"type": "phone-number", "value": "0151 12345678", "country": "DE"})[0].key == "+4915112345678"
    assert postings({"type": "phone-number", "value": "0151 12345678"}) == []  # no country, no reading
    with pytest.raises(InvalidInput, match="country code"):
        normalise("0151 12345678", "phone-number")


def test_ibans_without_spaces_and_checked():
    found = _one("de89 3704 0044 0532 0130 00", "iban")
    assert found == Posting(
        "iban", "DE89370400440532013000", "DE89 3704 0044 0532 0130 00", "spaces removed; upper-cased"
    )
    assert _one("GB82WEST12345698765432").key == "GB82WEST12345698765432"
    assert postings({"type": "bank-account", "iban": "DE89370400440532013001"}) == []
    with pytest.raises(InvalidInput, match="IBAN"):
        normalise("DE89370400440532013001", "bank-account")


def test_wallets_with_their_checksums():
    lower = _one(ETH.lower(), "wallet")
    assert lower.key == ETH.lower() and lower.shown == ETH and lower.how == ""
    assert _one(ETH).key == _one(ETH.upper().replace("0X", "0x")).key == lower.key
    assert normalise(ETH[:-1] + "D") == []  # mixed case with a wrong EIP-55 checksum
    with pytest.raises(InvalidInput, match="EIP-55"):
        normalise(ETH[:-1] + "D", "cryptocurrency-wallet")
    assert _one(BTC_SEGWIT.upper()).key == BTC_SEGWIT
    assert _one(BTC_TAPROOT).key == BTC_TAPROOT
    for address in (BTC_LEGACY, TRON, MONERO):
        assert _one(address) == Posting("wallet", address, address, "")
    for broken in (BTC_LEGACY[:-1] + "3", TRON[:-1] + "u", BTC_SEGWIT[:-1] + "r", MONERO[:-1] + "B"):
        assert postings({"type": "cryptocurrency-wallet", "value": broken}) == []
    assert postings({"type": "cryptocurrency-wallet", "value": " rEb8TK3gBgk5auZkwc6sHnwrGVJH8DuaLh "})[0].key == (
        "rEb8TK3gBgk5auZkwc6sHnwrGVJH8DuaLh"  # a chain without a known checksum: as written, trimmed
    )


def test_hashes_in_lower_case_hex_of_the_right_length():
    obj = {
        "type": "file",
        "hashes": {"SHA-256": SHA256_EMPTY.upper(), "MD5": MD5_EMPTY, "SHA-1": "abc", "SSDEEP": "3:a:b", "sha512": 5},
    }
    assert {(p.kind, p.key) for p in postings(obj)} == {("sha256", SHA256_EMPTY), ("md5", MD5_EMPTY)}
    assert _one(SHA256_EMPTY.upper()).how == "lower-cased"
    assert _one("da39a3ee5e6b4b0d3255bfef95601890afd80709").kind == "sha1"
    with pytest.raises(InvalidInput, match="length"):
        normalise(MD5_EMPTY, "sha256")
    x509 = {"type": "x509-certificate", "hashes": {"SHA-1": "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709"}}
    assert postings(x509)[0].key == "da39a3ee5e6b4b0d3255bfef95601890afd80709"


def test_other_identifiers():
    assert _one("00-1A-2B-3C-4D-5E").key == _one("001a.2b3c.4d5e", "mac-addr").key == "00:1a:2b:3c:4d:5e"
    assert postings({"type": "vehicle", "vin": "WVWZZZ1JZXW000001", "registration": "B-AB 1234"})[0].kind == "vin"
    vessel = postings({"type": "vessel", "name": "Ocean Star", "imo": "9074729", "mmsi": "211331640"})
    assert {(p.kind, p.key) for p in vessel} == {("imo", "9074729"), ("mmsi", "211331640")}
    assert postings({"type": "vessel", "imo": "9074728"}) == []  # wrong check digit
    assert _one("IMO 9074729").key == "9074729"


def test_defanged_objects_and_typed_input_are_refanged():
    assert postings({"type": "domain-name", "value": "evil[.]example", "defanged": True})[0].how == "refanged"
    assert postings({"type": "domain-name", "value": "evil[.]example"}) == []
    assert _one("hxxp://evil[.]example/x").key == "http://evil.example/x"


def test_untyped_input_that_is_nothing_gives_nothing():
    for value in ("hello", "", "   ", "12345", "not an address@", "http//x", "2001:db8::g"):
        assert normalise(value) == []


def test_typed_input_that_does_not_fit_raises_a_clear_error():
    with pytest.raises(InvalidInput, match="not a valid ipv4-addr"):
        normalise("::1", "ipv4-addr")
    with pytest.raises(InvalidInput, match="unknown value type"):
        normalise("x", "organisation")
    with pytest.raises(InvalidInput):
        normalise("no spaces allowed.example", "domain-name")


# Objects and patterns


def test_postings_are_deduplicated_across_an_object():
    observed = {
        "type": "observed-data",
        "objects": {"0": {"type": "ipv4-addr", "value": "10.0.0.1"}, "1": {"type": "ipv4-addr", "value": "010.0.0.1"}},
    }
    assert [(p.kind, p.key) for p in postings(observed)] == [("ipv4", "0a000001")]


def test_simple_equality_and_and_or():
    assert _pattern("[ipv4-addr:value = '198.51.100.7']") == {("ipv4", "c6336407")}
    pattern = "[domain-name:value = 'Evil.Example' OR url:value = 'HTTP://evil.example:80'] AND "
    assert _pattern(pattern + "[email-addr:value = 'a@b.example']") == {
        ("domain-name", "evil.example"),
        ("url", "http://evil.example/"),
        ("email-addr", "a@b.example"),
    }


def test_hashes_with_quoted_and_bare_names():
    found = _pattern(f"[file:hashes.'SHA-256' = '{SHA256_EMPTY.upper()}' OR file:hashes.MD5 = '{MD5_EMPTY}']")
    assert found == {("sha256", SHA256_EMPTY), ("md5", MD5_EMPTY)}


def test_in_lists_and_issubset():
    assert _pattern("[domain-name:value IN ('a.example', 'B.example')]") == {
        ("domain-name", "a.example"),
        ("domain-name", "b.example"),
    }
    assert _pattern("[ipv4-addr:value ISSUBSET '10.0.0.0/8']") == {("ipv4-net", "0a000000/08")}
    assert _pattern("[ipv4-addr:value ISSUPERSET '10.0.0.0/8']") == set()


def test_references_and_qualifiers():
    pattern = (
        "([network-traffic:dst_ref.value = '2001:db8::1' AND network-traffic:dst_port = 443] "
        "FOLLOWEDBY [email-message:to_refs[*].value = 'Analyst@Example.org']) WITHIN 300 SECONDS"
    )
    assert _pattern(pattern) == {("ipv6", "20010db8000000000000000000000001"), ("email-addr", "analyst@example.org")}


def test_comparisons_other_than_equality_yield_nothing():
    for op in ("!=", "NOT =", ">", "<=", "LIKE", "MATCHES"):
        assert _pattern(f"[domain-name:value {op} 'evil.example']") == set()
    assert _pattern("[file:name = 'invoice.pdf' AND file:size > 1000]") == set()


def test_a_pattern_only_stix2_patterns_reads():
    pattern = "[ipv4-addr:value = '198.51.100.7' AND network-traffic:dst_port = +443]"  # a signed integer
    assert patterns._fast_comparisons(pattern) is None
    assert _pattern(pattern) == {("ipv4", "c6336407")}


def test_qualifiers_are_read_on_the_fast_path():
    pattern = (
        "[ipv4-addr:value = '198.51.100.7'] REPEATS 5 TIMES START t'2024-01-01T00:00:00Z' STOP t'2024-02-01T00:00:00Z'"
    )
    assert patterns._fast_comparisons(pattern) == [("ipv4-addr", ("value",), "=", "'198.51.100.7'")]


def test_an_escaped_quote_in_a_value():
    assert _pattern(r"[url:value = 'http://example.com/it\'s']") == {("url", "http://example.com/it's")}


def test_other_pattern_languages_are_not_read():
    sigma = {"type": "indicator", "pattern_type": "sigma", "pattern": "[ipv4-addr:value = '198.51.100.7']"}
    assert postings(sigma) == []


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "[",
        "]",
        "[ipv4-addr:value = '1.2.3.4'",
        "[ipv4-addr:value = '1.2.3.4' AND]",
        "[ipv4-addr:value '1.2.3.4']",
        "ipv4-addr:value = '1.2.3.4'",
        "[ipv4-addr:value = '1.2.3.4']]",
        "[ipv4-addr:value = '1.2.3.4' ipv4-addr:value = '5.6.7.8']",
        "[a:b = 'c'] FOLLOWEDBY",
        "(" * 500 + "[x:y = 'z']" + ")" * 500,
        "[x:y = '\\z']",
        "\x00\uffff",
    ],
)
def test_garbage_patterns_do_not_raise(garbage):
    assert isinstance(postings({"type": "indicator", "pattern": garbage}), list)


_VALUES = st.one_of(
    st.ip_addresses(v=4).map(lambda a: ("ipv4-addr:value", str(a))),
    st.ip_addresses(v=6).map(lambda a: ("ipv6-addr:value", a.exploded)),
    st.from_regex(r"[a-z]{1,8}\.(com|org|example)", fullmatch=True).map(lambda d: ("domain-name:value", d.upper())),
    st.binary(min_size=32, max_size=32).map(lambda b: ("file:hashes.'SHA-256'", b.hex().upper())),
    st.binary(min_size=16, max_size=16).map(lambda b: ("file:hashes.MD5", b.hex())),
    st.from_regex(r"[a-z.]{1,8}@[a-z]{1,8}\.org", fullmatch=True).map(lambda e: ("email-addr:value", e)),
    st.text(max_size=12).map(lambda t: ("url:value", "http://x.example/" + t.replace("\\", "").replace("'", "\\'"))),
)
_OPS = st.sampled_from(["=", "=", "!=", "MATCHES", "IN"])


@st.composite
def _simple_patterns(draw):
    observations = []
    for _ in range(draw(st.integers(1, 3))):
        parts = []
        for _ in range(draw(st.integers(1, 3))):
            (lhs, value), op = draw(_VALUES), draw(_OPS)
            rhs = f"('{value}', 'other.example')" if op == "IN" else f"'{value}'"
            parts.append(f"{lhs} {op} {rhs}")
        observations.append("[" + draw(st.sampled_from([" AND ", " OR "])).join(parts) + "]")
    return draw(st.sampled_from([" AND ", " OR ", " FOLLOWEDBY "])).join(observations)


@settings(max_examples=200, deadline=None)
@given(_simple_patterns())
def test_the_fast_path_reads_simple_patterns_as_stix2_patterns_does(pattern):
    fast, slow = patterns._fast_comparisons(pattern), patterns._slow_comparisons(pattern)
    assert fast is not None, pattern
    assert sorted((t, p, " ".join(op.split())) for t, p, op, _ in fast) == sorted((t, p, op) for t, p, op, _ in slow)
    assert _keys_of(fast) == _keys_of(slow)


def _keys_of(comparisons) -> set[tuple[str, str]]:
    return {(p.kind, p.key) for c in comparisons for p in patterns._comparison_postings(*c)}


@given(st.text(max_size=200))
def test_any_text_as_a_pattern_or_a_value_never_raises(text):
    assert isinstance(postings({"type": "indicator", "pattern": text}), list)
    assert isinstance(normalise(text), list)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=10,
)


@given(
    st.sampled_from(
        [
            "ipv4-addr",
            "ipv6-addr",
            "domain-name",
            "url",
            "email-addr",
            "phone-number",
            "cryptocurrency-wallet",
            "bank-account",
            "vehicle",
            "vessel",
            "file",
            "indicator",
            "observed-data",
            "mac-addr",
            "artifact",
        ]
    ),
    st.dictionaries(
        st.sampled_from(["value", "hashes", "iban", "vin", "imo", "mmsi", "pattern", "objects", "country", "defanged"]),
        _JSON,
    ),
)
def test_odd_objects_never_raise(type_, props):
    assert isinstance(postings({"type": type_, **props}), list)


# Display


_SHOWN_VALUES = st.one_of(
    st.ip_addresses().map(str),
    st.tuples(st.ip_addresses(v=4), st.integers(0, 31)).map(lambda t: f"{t[0]}/{t[1]}"),
    st.tuples(st.ip_addresses(v=6), st.integers(0, 127)).map(lambda t: f"{t[0]}/{t[1]}"),
    st.from_regex(r"(www\.)?[a-zäöüéß0-9]{1,10}\.(de|com|example)", fullmatch=True),
    st.from_regex(r"[A-Za-z0-9.]{1,10}@[a-zäöü]{1,10}\.(org|example)", fullmatch=True),
    st.from_regex(r"https?://[a-z]{1,8}\.example(:[0-9]{2,4})?/[a-zA-Z0-9%~]{0,10}", fullmatch=True),
    st.binary(min_size=20, max_size=20).map(bytes.hex),
    st.binary(min_size=20, max_size=20).map(lambda b: "0x" + b.hex()),
    st.sampled_from(
        ["+4915112345678", "DE89 3704 0044 0532 0130 00", BTC_SEGWIT, MONERO, "00:1a:2b:3c:4d:5e", "9074729"]
    ),
)


@given(_SHOWN_VALUES)
def test_display_rebuilds_shown_from_kind_and_key(value):
    for posting in normalise(value):
        assert display(posting.kind, posting.key) == posting.shown


def test_display_of_an_unreadable_key_is_the_key():
    assert display("ipv4", "not-hex") == "not-hex"
    assert display("unknown-kind", "abc") == "abc"


_TYPES = ["ipv4-addr", "ipv6-addr", "domain-name", "url", "email-addr", "phone-number", "cryptocurrency-wallet"]
_TYPES += ["bank-account", "sha256", "md5", "file", "iban", "phone", "mac-addr", "vin", "imo", "mmsi", "vessel"]


@given(st.sampled_from(_TYPES), st.text(max_size=60) | st.from_regex(r"[0-9a-fA-F:./ +x-]{1,40}", fullmatch=True))
def test_typed_input_raises_only_invalid_input(type_, text):
    try:
        found = normalise(text, type_)
    except InvalidInput:
        return
    (posting,) = found
    assert display(posting.kind, posting.key) == posting.shown
    assert [(p.kind, p.key) for p in normalise(posting.shown, posting.kind)] == [(posting.kind, posting.key)]
