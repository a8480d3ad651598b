"""Headings in capitals put in title case, Turkish-aware, acronyms and places kept."""

from __future__ import annotations

import pytest

from newsletter.library.titlecase import title_case


@pytest.mark.parametrize(
    "heading, language, expected",
    [
        ("ECONOMIC RECOVERY AND LABOUR INTEGRATION", None,
         "Economic Recovery and Labour Integration"),
        ("GÖÇ VE UYUM ÇALIŞMALARI", None, "Göç ve Uyum Çalışmaları"),
        ("İNSAN TİCARETİ İLE MÜCADELE", None, "İnsan Ticareti ile Mücadele"),
        ("KIZILAY İÇİN GÖNÜLLÜ EĞİTİMİ", None, "Kızılay için Gönüllü Eğitimi"),
        ("SIĞINMACI KADINLAR", "tr", "Sığınmacı Kadınlar"),
        ("IOM AND DGMM TRAIN OFFICERS IN ŞANLIURFA", None,
         "IOM and DGMM Train Officers in Şanlıurfa"),
        ("WOMEN’S COOPERATIVE OPENS IN ŞANLIURFA’DA", None,
         "Women’s Cooperative Opens in Şanlıurfa’da"),
        ("EU-FUNDED CENTRE FOR NGOS AFTER COVID-19", None,
         "EU-Funded Centre for NGOs After COVID-19"),
        ("CROSS-CUTTING: GENDER AND INCLUSION", None, "Cross-Cutting: Gender and Inclusion"),
        ("THE 3RP IN 2021", None, "The 3RP in 2021"),
        ("Already in Small Letters", None, "Already in Small Letters"),
    ],
)  # fmt: skip
def test_title_case(heading: str, language: str | None, expected: str) -> None:
    assert title_case(heading, language, acronyms={"DGMM"}) == expected


def test_unknown_acronyms_are_lowered_unless_the_table_knows_them() -> None:
    assert title_case("WFP IN HATAY") == "Wfp in Hatay"
    assert title_case("WFP IN HATAY", acronyms=["WFP"]) == "WFP in Hatay"
