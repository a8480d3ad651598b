"""The library's defaults for this user: programme areas with their keywords, partners and donors.

Kept apart from config.py because they are data, not settings machinery; config.example.toml
shows the same lists.
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

__all__ = ["DEFAULT_AREAS", "DEFAULT_PARTNERS", "Area"]
