"""The library's defaults for this user: programme areas with their keywords, partners and donors.

Kept apart from config.py because they are data, not settings machinery; config.example.toml
shows the areas and the partner names. ``DEFAULT_ORGANISATIONS`` fills the organisations table
(partners and donors with their acronyms and English and Turkish names) when the database is
created or upgraded to revision 0008; admins change it with `newsletter blocks partners`.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Area(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    slug: str
    name: str
    keywords: list[str] = []


DEFAULT_AREAS = [
    Area(
        slug="economic-recovery",
        name="Economic recovery and labour integration",
        keywords=[
            "livelihood",
            "employment",
            "job",
            "labour",
            "labor",
            "vocational",
            "entrepreneur",
            "business",
            "skills",
            "income",
            "workplace",
            "cooperative",
            "grant",
        ],
    ),
    Area(
        slug="social-cohesion",
        name="Harmonization and social cohesion",
        keywords=[
            "harmonization",
            "harmonisation",
            "cohesion",
            "community",
            "communities",
            "host",
            "integration",
            "youth",
            "language course",
            "dialogue",
        ],
    ),
    Area(
        slug="border-governance",
        name="Immigration and border governance",
        keywords=[
            "border",
            "airport",
            "immigration",
            "document",
            "passport",
            "crossing",
            "coast guard",
            "law enforcement",
            "trafficking",
            "smuggling",
            "visa",
        ],
    ),
    Area(
        slug="migration-health",
        name="Migration health",
        keywords=[
            "health",
            "medical",
            "clinic",
            "vaccin",
            "psychosocial",
            "mental",
            "hospital",
            "pandemic",
            "covid",
            "doctor",
            "nurse",
        ],
    ),
    Area(
        slug="protection",
        name="Protection",
        keywords=[
            "protection",
            "vulnerable",
            "gender-based",
            "child",
            "children",
            "case management",
            "legal aid",
            "counselling",
            "rights",
            "victim",
        ],
    ),
    Area(
        slug="resettlement",
        name="Resettlement and complementary pathways",
        keywords=[
            "resettlement",
            "resettled",
            "departure",
            "pre-departure",
            "orientation",
            "family reunification",
            "pathway",
            "relocation",
        ],
    ),
    Area(
        slug="data-research",
        name="Data and research",
        keywords=[
            "data",
            "research",
            "survey",
            "study",
            "displacement tracking",
            "report",
            "assessment",
            "statistics",
            "mapping",
        ],
    ),
    Area(
        slug="emergency-response",
        name="Emergency response",
        keywords=[
            "emergency",
            "earthquake",
            "disaster",
            "relief",
            "shelter",
            "non-food",
            "winterization",
            "humanitarian",
            "flood",
            "cash assistance",
        ],
    ),
]

DEFAULT_PARTNERS = [
    "EU",
    "European Union",
    "ILO",
    "UNDP",
    "UNHCR",
    "UNICEF",
    "WHO",
    "UNFPA",
    "WFP",
    "DGMM",
    "Presidency of Migration Management",
    "AFAD",
    "İŞKUR",
    "ECHO",
    "BPRM",
    "Turkish Red Crescent",
    "Ministry of Interior",
    "Ministry of Family and Social Services",
    "Ministry of Health",
    "Ministry of Labour and Social Security",
    "Coast Guard Command",
    "KfW",
    "GIZ",
    "World Bank",
    "US Department of State",
    "Government of Japan",
    "DGILF",
    "Directorate General of International Labour Force",
    "British Embassy",
    "Embassy of the Kingdom of the Netherlands",
]



class OrganisationEntry(BaseModel):
    """A partner or donor: what the importer matches, either way round, and counts once."""

    model_config = ConfigDict(extra="forbid")

    name: str  # the full name in English
    acronym: str = ""
    name_tr: str = ""
    acronym_tr: str = ""
    aliases: list[str] = []  # other names and spellings, in any language
    kind: str = "partner"  # partner | donor | government | un


def _org(acronym: str, name: str, name_tr: str = "", *aliases: str, kind: str = "partner",
         acronym_tr: str = "") -> OrganisationEntry:  # fmt: skip
    return OrganisationEntry(name=name, acronym=acronym, name_tr=name_tr, acronym_tr=acronym_tr,
                             aliases=list(aliases), kind=kind)  # fmt: skip


DEFAULT_ORGANISATIONS = [
    _org("IOM", "International Organization for Migration", "Uluslararası Göç Örgütü",
         "International Organisation for Migration", "UN Migration", kind="un"),
    _org("EU", "European Union", "Avrupa Birliği", "European Union Delegation to Turkey",
         "European Union Delegation to Türkiye", "Delegation of the European Union to Turkey",
         "Delegation of the European Union to Türkiye", "EU Delegation to Turkey",
         "EU Delegation to Türkiye", "Avrupa Birliği Türkiye Delegasyonu", "European Commission",
         "Avrupa Komisyonu", kind="donor", acronym_tr="AB"),
    _org("ECHO", "European Civil Protection and Humanitarian Aid Operations",
         "Avrupa Sivil Koruma ve İnsani Yardım Operasyonları", "DG ECHO", kind="donor"),
    _org("ILO", "International Labour Organization", "Uluslararası Çalışma Örgütü",
         "International Labour Organisation", kind="un"),
    _org("UNDP", "United Nations Development Programme", "Birleşmiş Milletler Kalkınma Programı",
         kind="un"),
    _org("UNHCR", "United Nations High Commissioner for Refugees",
         "Birleşmiş Milletler Mülteciler Yüksek Komiserliği", "UN Refugee Agency",
         "UN High Commissioner for Refugees", kind="un", acronym_tr="BMMYK"),
    _org("UNICEF", "United Nations Children’s Fund", "Birleşmiş Milletler Çocuklara Yardım Fonu",
         "UN Children’s Fund", kind="un"),
    _org("WHO", "World Health Organization", "Dünya Sağlık Örgütü", "World Health Organisation",
         kind="un", acronym_tr="DSÖ"),
    _org("UNFPA", "United Nations Population Fund", "Birleşmiş Milletler Nüfus Fonu", kind="un"),
    _org("WFP", "World Food Programme", "Dünya Gıda Programı", "UN World Food Programme",
         "World Food Program", kind="un"),
    _org("UN Women", "United Nations Entity for Gender Equality and the Empowerment of Women",
         "BM Kadın Birimi", kind="un"),
    _org("DGMM", "Directorate General of Migration Management",
         "Göç İdaresi Genel Müdürlüğü", "Directorate-General for Migration Management",
         "Directorate General for Migration Management", kind="government", acronym_tr="GİGM"),
    _org("PMM", "Presidency of Migration Management", "Göç İdaresi Başkanlığı",
         kind="government"),
    _org("AFAD", "Disaster and Emergency Management Presidency",
         "Afet ve Acil Durum Yönetimi Başkanlığı", "Disaster and Emergency Management Authority",
         kind="government"),
    _org("İŞKUR", "Turkish Employment Agency", "Türkiye İş Kurumu", kind="government"),
    _org("DGILF", "Directorate General of International Labour Force",
         "Uluslararası İşgücü Genel Müdürlüğü", kind="government"),
    _org("", "Turkish Red Crescent", "Türk Kızılay", "Kızılay", "Turkish Red Crescent Society"),
    _org("", "Ministry of Interior", "İçişleri Bakanlığı", "Ministry of the Interior",
         kind="government"),
    _org("", "Ministry of Family and Social Services", "Aile ve Sosyal Hizmetler Bakanlığı",
         "Ministry of Family, Labour and Social Services", kind="government"),
    _org("", "Ministry of Health", "Sağlık Bakanlığı", kind="government"),
    _org("", "Ministry of Labour and Social Security", "Çalışma ve Sosyal Güvenlik Bakanlığı",
         kind="government"),
    _org("MoNE", "Ministry of National Education", "Milli Eğitim Bakanlığı",
         "Millî Eğitim Bakanlığı", kind="government", acronym_tr="MEB"),
    _org("", "Coast Guard Command", "Sahil Güvenlik Komutanlığı", "Turkish Coast Guard",
         kind="government"),
    _org("BPRM", "Bureau of Population, Refugees, and Migration", "",
         "Bureau of Population, Refugees and Migration", "US Bureau of Population, Refugees, and "
         "Migration", kind="donor"),
    _org("", "US Department of State", "ABD Dışişleri Bakanlığı", "U.S. Department of State",
         "United States Department of State", kind="donor"),
    _org("FCDO", "Foreign, Commonwealth & Development Office", "",
         "Foreign, Commonwealth and Development Office", kind="donor"),
    _org("BMZ", "Federal Ministry for Economic Cooperation and Development", "",
         "German Federal Ministry for Economic Cooperation and Development", kind="donor"),
    _org("KfW", "KfW Development Bank", "", "KfW Entwicklungsbank", kind="donor"),
    _org("GIZ", "Deutsche Gesellschaft für Internationale Zusammenarbeit", "", kind="donor"),
    _org("", "World Bank", "Dünya Bankası", kind="donor"),
    _org("", "Government of Japan", "Japonya Hükümeti", kind="donor"),
    _org("", "British Embassy", "İngiltere Büyükelçiliği", "British Embassy Ankara",
         kind="donor"),
    _org("", "Embassy of the Kingdom of the Netherlands", "Hollanda Krallığı Büyükelçiliği",
         "Netherlands Embassy", kind="donor"),
]  # fmt: skip

__all__ = [
    "DEFAULT_AREAS", "DEFAULT_ORGANISATIONS", "DEFAULT_PARTNERS", "Area", "OrganisationEntry",
]  # fmt: skip
