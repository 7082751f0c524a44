"""Country profiles: every statutory figure the portal uses, with its source.

Law is data here. Views and rules read figures from :func:`profile` and never write a
statutory number as a literal. Figures marked "default" are not verified in a primary
source; an organisation may change them (see ``../shared/domain-brief.md``).
"""
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class CountryProfile:
    """The rules of one legal system."""

    code: str
    name: object  # lazy string: shown to administrators
    law: str  # the statute the profile follows (not translated: it is a citation)
    timezone: str
    default_language: str
    figures: dict = field(default_factory=dict)


PROFILES = {
    "cz": CountryProfile(
        code="cz",
        name=_l("Czech rules (accompanying foster families)"),
        law="zákon č. 359/1999 Sb., ve znění zákona č. 242/2024 Sb.; vyhláška č. 473/2012 Sb.",
        timezone="Europe/Prague",
        default_language="cs",
        figures={
            # § 47a odst. 2 zák. 359/1999 Sb. (duty to improve knowledge and skills): 24 hours in each
            # period of 12 consecutive months from the day the agreement was signed. VERIFIED.
            # Letters of § 47a were renumbered in 2025, so no letter is cited here.
            "education_hours": 24,
            # From 1 Jan 2025 (zák. 242/2024 Sb.): 18 hours for non-mediated (kinship) care.
            # VERIFIED-2ndary in the domain brief: a default the organisation may change.
            "education_hours_kinship_from_2025": 18,
            # The period is 12 consecutive months; the first starts on the day of signature.
            "education_period_months": 12,
            # The date from which the amended rules apply to new agreements.
            "new_rules_from": "2025-01-01",
            # From 1 Jan 2025 (zák. 242/2024 Sb.): hours above the requirement carry into the
            # immediately following period only, for agreements under the new rules.
            # VERIFIED-2ndary in the domain brief: a default (models/education_rules.py).
            "education_carry_over_new_rules": True,
            # Warn about a caregiver whose hours done and registered are short with less than
            # this many months of the period left (organisation practice, not law).
            "education_at_risk_months": 3,
            # § 47a odst. 2: help with full-day care for at least 14 calendar days a calendar
            # year, for a child aged 2 or more. VERIFIED.
            "respite_days_per_year": 14,
            "respite_min_child_age": 2,
            # § 47b: personal contact with carer and children at least once every 2 months. VERIFIED.
            "visit_interval_months": 2,
            # § 47b odst. 5: a report to the OSPOD every 6 months and at the end. VERIFIED.
            "report_interval_months": 6,
            # MPSV methodology: 18–23 families per full-time key worker; a recommendation, not law
            # (VERIFIED-2ndary).
            "caseload_recommended_min": 18,
            "caseload_recommended_max": 23,
            "caseload_hard_limit": None,
            # Warn this many families before the hard limit (organisation practice; no limit here).
            "caseload_warning_margin": None,
            # Default interval between reviews of a care plan (organisation practice).
            "plan_review_months": 6,
            # Assisted contacts (scheduling defaults, NOT statutory: organisation practice that
            # an administrator changes under Contacts > Rooms and settings): working hours and
            # days (a booking outside them gets a warning), the free time kept between two
            # bookings of a room, and the longest contact accepted.
            "contact_day_start": "08:00",
            "contact_day_end": "18:00",
            "contact_working_days": "12345",
            "contact_room_buffer_minutes": 15,
            "contact_max_hours": 12,
            # A cancellation less than this many hours ahead is recorded as late.
            "contact_cancel_notice_hours": 24,
            # Areas of needs and risks of a care plan: the areas in which the OSPOD assesses
            # the child and family for the IPOD (vyhláška 473/2012 Sb., § 10: the child's
            # development and health, education, relationships with the birth family, identity,
            # the carers' competences). FROM MEMORY: a default list; an administrator edits it
            # (plans area, "Areas of needs").
            "plan_need_areas": (
                "development_health", "education", "birth_family", "identity", "carer_competences",
                "living_conditions",
            ),
            # No statute prescribes the content of the accompanying organisation's plan of care:
            # an expected outcome per action is good practice, not required (organisation practice).
            "plan_expected_effect_required": False,
        },
    ),
    "pl": CountryProfile(
        code="pl",
        name=_l("Polish rules (family assistance and foster-care coordination)"),
        law="ustawa z dnia 9 czerwca 2011 r. o wspieraniu rodziny i systemie pieczy zastępczej",
        timezone="Europe/Warsaw",
        default_language="pl",
        figures={
            # art. 15 ust. 4: a family assistant works with at most 15 families (VERIFIED);
            # a foster-care coordinator has at most 15 foster families since 1 Jan 2015
            # (VERIFIED; article number unverified).
            "caseload_hard_limit": 15,
            # Warn when this many places or fewer are left before the limit (organisation
            # practice, not law: a default the organisation may change).
            "caseload_warning_margin": 2,
            "caseload_recommended_min": None,
            "caseload_recommended_max": None,
            # Periodic assessment of the family: default every 6 months (unverified).
            "plan_review_months": 6,
            # Spheres of the family's functioning assessed in a plan pracy z rodziną:
            # socjalno-bytowa, psychologiczna, zawodowa, społeczna, zdrowotna (the spheres of the
            # assistants' plan and assessment forms; organisation practice, not a statutory list).
            # An administrator edits the list (plans area, "Areas of needs").
            "plan_need_areas": ("social_living", "psychological", "vocational", "social", "health"),
            # art. 15 ust. 3: the plan pracy z rodziną contains the actions, "terminy ich realizacji
            # i przewidywane efekty": every action needs an expected effect. VERIFIED (commentary
            # quoting the act; see the domain brief).
            "plan_expected_effect_required": True,
            # No statutory annual training target for foster parents: the organisation sets
            # its own (None = none).
            "education_hours": None,
            "education_period_months": 12,
            # No statutory carry-over either; the organisation's own target is yearly.
            "education_carry_over_new_rules": False,
            # Warning before the end of the year (organisation practice, not law).
            "education_at_risk_months": 3,
            # art. 69: professional foster families, 30 calendar days of rest per 12 months,
            # notified at least 30 days ahead. VERIFIED.
            "rest_notice_days": 30,
            "rest_days_per_year": 30,
            # Assisted contacts (scheduling defaults, NOT statutory: organisation practice that
            # an administrator changes under Contacts > Rooms and settings): working hours and
            # days (a booking outside them gets a warning), the free time kept between two
            # bookings of a room, and the longest contact accepted.
            "contact_day_start": "08:00",
            "contact_day_end": "18:00",
            "contact_working_days": "12345",
            "contact_room_buffer_minutes": 15,
            "contact_max_hours": 12,
            # A cancellation less than this many hours ahead is recorded as late.
            "contact_cancel_notice_hours": 24,
        },
    ),
}

COUNTRY_CHOICES = tuple((code, p.name) for code, p in PROFILES.items())
TIMEZONES = ("Europe/Prague", "Europe/Warsaw")


def profile(code):
    """The :class:`CountryProfile` for a country code (``cz`` or ``pl``)."""
    return PROFILES[code]
