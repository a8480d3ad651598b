"""Addresses: validation without DNS, the normalised form for dedupe, the form for SMTP."""

from __future__ import annotations

import unicodedata

import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import given, settings
from hypothesis import strategies as st

from newsletter.audience.addresses import InvalidAddress, is_valid, normalise


def test_domain_and_local_part_are_lowercased() -> None:
    address = normalise("  Ayse.Demir@Örnek.COM.tr ")
    assert address.normalised == "ayse.demir@örnek.com.tr"
    assert address.ascii == "ayse.demir@xn--rnek-4qa.com.tr"
    assert not address.smtputf8


def test_turkish_dotted_capital_i_lowers_to_a_plain_i() -> None:
    # Python lowercases İ to "i" + combining dot above, and so does IDNA's UTS-46 mapping in
    # the domain; both parts drop the dot ("İPEK" from Caps Lock on a Turkish keyboard is the
    # mailbox "ipek", "İSTANBUL.example" the domain istanbul.example).
    upper = normalise("İPEK@İSTANBUL.example")
    lower = normalise("i\u0307pek@i\u0307stanbul.example")
    assert upper == lower == normalise("ipek@istanbul.example")
    assert upper.normalised == upper.ascii == "ipek@istanbul.example" and not upper.smtputf8
    assert normalise("AYŞE.İNCE@example.org").normalised == "ayşe.ince@example.org"
    assert normalise("IŞIK@example.org") != normalise("ışık@example.org")  # ASCII I is i
    assert validate_email("x@İSTANBUL.example", check_deliverability=False).domain == (
        "i\u0307stanbul.example"
    )  # what email-validator alone gives: the reason for the fold
    # A dotless ı is a letter of its own: "ıstanbul" is a different domain, not merged.
    assert normalise("ipek@ıstanbul.example") != upper


def test_unicode_local_part_has_no_ascii_form_and_needs_smtputf8() -> None:
    address = normalise("محمد@example.com")
    assert address.normalised == "محمد@example.com"
    assert address.ascii is None
    assert address.smtputf8
    assert address.envelope == "محمد@example.com"


def test_ascii_form_uses_punycode_for_international_domains() -> None:
    address = normalise("info@şehir-örneği.com.tr")
    assert address.ascii is not None and address.ascii.startswith("info@xn--")
    assert address.envelope == address.ascii


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "empty"),
        ("ali.veli", "@"),
        ("ali..veli@example.com", "two periods"),
        ("ali@example", "period"),
        ("ali@localhost", "period"),
        ("ali@example.test", "special-use"),
        ("ali veli@example.com", "SPACE"),
    ],
)
def test_invalid_addresses_name_the_value_and_reason(value: str, reason: str) -> None:
    with pytest.raises(InvalidAddress) as info:
        normalise(value)
    assert reason in str(info.value)
    assert repr(value.strip()) in str(info.value) or value == ""
    assert not is_valid(value)


@pytest.mark.parametrize(
    "value",
    [
        "Zeynep.Kaya+bulten@Example.org",
        "o'brien@example.co.uk",
        "a@b.co",
        "ÖMER@örnek.com.tr",
        "user@xn--rnek-4qa.com.tr",
        "x" * 64 + "@example.com",
        "İpek.Yıldız@Örnek.com.tr",
        "محمد.علي@مثال.example",
        "Ce\u0301line@example.fr",
        "postmaster@Example.com",
        "Δοκιμή@παράδειγμα.δοκιμή",
    ],
)
def test_fast_path_agrees_with_email_validator(value: str) -> None:
    full = validate_email(value, check_deliverability=False)
    address = normalise(value)
    local = _lower(full.local_part)
    assert address.normalised == local + "@" + full.domain
    if local.isascii():
        assert address.ascii == local + "@" + full.ascii_domain
    else:
        assert address.ascii is None and address.smtputf8


def test_fast_path_refuses_what_email_validator_refuses() -> None:
    for value in (".ali@example.com", "ali.@example.com", "ali@exa_mple.com",
                  "ali@-example.com", "çok..nokta@örnek.com.tr", "ali@örnek..com.tr",
                  "x" * 60 + "@" + ("ç" * 60 + ".") * 2 + "com.tr"):  # fmt: skip
        with pytest.raises(InvalidAddress):
            normalise(value)


def _reference(value: str) -> tuple[str, str | None] | None:
    local_part, at, domain = value.strip().rpartition("@")
    if at:  # the Turkish fold of the domain (addresses._fold_domain), written out
        domain = unicodedata.normalize("NFC", domain).replace("İ", "i").replace("i\u0307", "i")
    try:
        full = validate_email(local_part + at + domain, check_deliverability=False)
    except EmailNotValidError:
        return None
    local = _lower(full.local_part)
    ascii_form = local + "@" + full.ascii_domain if local.isascii() else None
    return local + "@" + full.domain, ascii_form


def _lower(local: str) -> str:
    """The reference lowering: str.lower() without the combining dot it gives İ."""
    return local.lower().replace("i\u0307", "i")


_LOCAL = st.text(alphabet="abcXYZ019.+-_'!ıİşŞçÖüé\u0301 \"", min_size=0, max_size=12)
_DOMAIN = st.text(alphabet="abcXYZ019.-_öÖİığ\u0307", min_size=0, max_size=14)


@settings(max_examples=400, deadline=None)
@given(_LOCAL, _DOMAIN, st.sampled_from(["", ".com", ".com.tr", ".example", ".test"]))
def test_fast_path_matches_email_validator_on_generated_addresses(
    local: str, domain: str, tld: str
) -> None:
    value = f"{local}@{domain}{tld}"
    expected = _reference(value)
    if expected is None:
        with pytest.raises(InvalidAddress):
            normalise(value)
    else:
        assert tuple(normalise(value)) == expected
