"""The education rules (models/education_rules.py): periods, requirement, carry-over, at-risk."""
import datetime
from types import SimpleNamespace

import pytest

from models import education_rules as rules
from models.jurisdiction import PROFILES

D = datetime.date
CZ = PROFILES["cz"].figures
PL = PROFILES["pl"].figures
H = 60  # minutes in an hour


# --- Periods ----------------------------------------------------------------------------------


def test_rolling_period_from_the_agreement_date():
    """Does an agreement of 15 Mar 2025 give 15 Mar 2025 – 14 Mar 2026, then 15 Mar 2026 – 14 Mar 2027?"""
    anchor = D(2025, 3, 15)
    assert rules.period(anchor, 0) == rules.Period(0, D(2025, 3, 15), D(2026, 3, 14))
    assert rules.period(anchor, 1) == rules.Period(1, D(2026, 3, 15), D(2027, 3, 14))


@pytest.mark.parametrize(("day", "index"), [
    (D(2025, 3, 15), 0), (D(2026, 3, 14), 0), (D(2026, 3, 15), 1), (D(2027, 3, 14), 1),
    (D(2027, 3, 15), 2), (D(2035, 1, 1), 9),
])
def test_period_containing_a_day(day, index):
    """Is each day in exactly the period whose dates include it (first and last days too)?"""
    anchor = D(2025, 3, 15)
    found = rules.period_containing(anchor, day)
    assert found.index == index
    assert found.start <= day <= found.end


def test_no_period_before_the_agreement():
    """Does a day before the agreement belong to no period?"""
    assert rules.period_containing(D(2025, 3, 15), D(2025, 3, 14)) is None


def test_agreement_on_29_february_follows_605_oz():
    """Does a 29 Feb agreement start later periods on 28 Feb (last day of the month), and on 29 Feb in leap years?"""
    anchor = D(2024, 2, 29)
    starts = [rules.period(anchor, i).start for i in range(5)]
    assert starts == [D(2024, 2, 29), D(2025, 2, 28), D(2026, 2, 28), D(2027, 2, 28), D(2028, 2, 29)]
    # Periods follow each other without a gap or an overlap.
    assert rules.period(anchor, 0).end == D(2025, 2, 27)
    assert rules.period(anchor, 3).end == D(2028, 2, 28)
    assert rules.period_containing(anchor, D(2025, 2, 28)).index == 1
    assert rules.period_containing(anchor, D(2025, 2, 27)).index == 0


def test_agreement_on_31st_with_shorter_months():
    """Does an anniversary of the 31st in a 6-month profile land on the month's last day?"""
    assert rules.add_months(D(2025, 8, 31), 6) == D(2026, 2, 28)
    assert rules.period(D(2025, 8, 31), 0, months=6).end == D(2026, 2, 27)


def test_periods_are_contiguous_over_many_years():
    """Do periods from any anchor tile the calendar without gaps (checked over 12 years)?"""
    for anchor in (D(2024, 2, 29), D(2025, 1, 31), D(2023, 12, 31)):
        previous = rules.period(anchor, 0)
        for index in range(1, 12):
            current = rules.period(anchor, index)
            assert current.start == previous.end + datetime.timedelta(days=1)
            previous = current


# --- Requirement -------------------------------------------------------------------------------


def test_old_regime_needs_24_hours_even_for_kinship_care():
    """Does an agreement under the rules before 2025 need 24 h for kinship care, without carry-over?"""
    req = rules.requirement(CZ, new_rules=False, mediated=False)
    assert req.minutes == 24 * H and not req.carry_over and not req.kinship


def test_new_regime_kinship_needs_18_hours_mediated_24():
    """From 2025: 18 h for non-mediated (kinship) care, 24 h for mediated care, both with carry-over."""
    kinship = rules.requirement(CZ, new_rules=True, mediated=False)
    mediated = rules.requirement(CZ, new_rules=True, mediated=True)
    assert (kinship.minutes, kinship.kinship) == (18 * H, True)
    assert (mediated.minutes, mediated.kinship) == (24 * H, False)
    assert kinship.carry_over and mediated.carry_over


def test_organisation_overrides_the_profile_figure():
    """Does the organisation's own figure replace the profile's?"""
    req = rules.requirement(CZ, new_rules=True, mediated=True, overrides={"standard_minutes": 30 * H})
    assert req.minutes == 30 * H


def test_polish_profile_has_no_requirement_unless_the_organisation_sets_one():
    """Polish rules: no target by default, the organisation's target when set; never carry-over."""
    assert rules.requirement(PL, new_rules=True, mediated=True).minutes is None
    req = rules.requirement(PL, new_rules=True, mediated=True, overrides={"standard_minutes": 10 * H})
    assert req.minutes == 10 * H and not req.carry_over


# --- Summaries and carry-over --------------------------------------------------------------


def test_training_on_the_last_day_of_a_period_credits_that_period():
    """Does a training on 14 Mar 2026 credit the first period, and one on 15 Mar the second?"""
    req = rules.requirement(CZ, new_rules=False, mediated=True)
    periods = rules.summarise(D(2025, 3, 15), req, [(D(2026, 3, 14), 4 * H), (D(2026, 3, 15), 3 * H)],
                              today=D(2026, 6, 1))
    assert [p.done for p in periods] == [4 * H, 3 * H]


def test_carry_over_only_into_the_next_period():
    """Under the 2025 rules, do surplus hours carry into the next period only, not the one after?"""
    req = rules.requirement(CZ, new_rules=True, mediated=False)  # 18 h
    credits = [(D(2025, 6, 1), 30 * H)]  # 12 h above the requirement in period 0
    p0, p1, p2 = rules.summarise(D(2025, 3, 15), req, credits, today=D(2027, 6, 1))
    assert (p0.carried_out, p1.carried_in, p1.credited, p1.missing) == (12 * H, 12 * H, 12 * H, 6 * H)
    assert p1.carried_out == 0 and p2.carried_in == 0 and p2.missing == 18 * H


def test_carried_hours_are_used_first_and_do_not_carry_again():
    """Do the period's own hours beyond what is still needed carry on, never the carried ones?"""
    req = rules.requirement(CZ, new_rules=True, mediated=True)  # 24 h
    credits = [(D(2025, 4, 1), 34 * H), (D(2026, 4, 1), 20 * H)]
    p0, p1, p2 = rules.summarise(D(2025, 3, 15), req, credits, today=D(2027, 4, 1))
    assert p0.carried_out == 10 * H
    # Period 1 needs 14 h of its own after the 10 carried in: 6 of its 20 carry on.
    assert (p1.credited, p1.carried_out) == (30 * H, 6 * H)
    assert p2.carried_in == 6 * H


def test_no_carry_over_under_the_old_rules():
    """Does an agreement under the rules before 2025 carry nothing over?"""
    req = rules.requirement(CZ, new_rules=False, mediated=True)
    p0, p1 = rules.summarise(D(2024, 3, 15), req, [(D(2024, 6, 1), 40 * H)], today=D(2025, 6, 1))
    assert p0.carried_out == 0 and p1.carried_in == 0


def test_switched_agreement_carries_only_from_periods_under_the_new_rules():
    """A pre-2025 agreement switched to the new rules: no carry-over out of a period begun in 2024."""
    req = rules.requirement(CZ, new_rules=True, mediated=True)
    credits = [(D(2024, 6, 1), 40 * H), (D(2025, 6, 1), 40 * H)]
    p0, p1, p2 = rules.summarise(D(2024, 3, 15), req, credits, today=D(2026, 6, 1))
    assert p0.carried_out == 0 and p1.carried_in == 0
    assert p1.carried_out == 16 * H and p2.carried_in == 16 * H


def test_registered_hours_and_missing():
    """Are registered trainings shown apart from hours done, and counted in "missing after registered"?"""
    req = rules.requirement(CZ, new_rules=False, mediated=True)
    (p0,) = rules.summarise(D(2025, 3, 15), req, [(D(2025, 5, 1), 10 * H)], [(D(2025, 12, 1), 6 * H)],
                            today=D(2025, 10, 1))
    assert (p0.done, p0.registered, p0.missing, p0.missing_after_registered) == (10 * H, 6 * H, 14 * H, 8 * H)
    assert p0.percent() == 41
    assert p0.days_left(D(2026, 3, 14)) == 1 and p0.days_left(D(2026, 3, 15)) == 0


# --- At risk ------------------------------------------------------------------------------------


def _current(done, registered=0, today=D(2026, 1, 1)):
    req = rules.requirement(CZ, new_rules=False, mediated=True)
    periods = rules.summarise(D(2025, 3, 15), req, [(D(2025, 5, 1), done)],
                              [(D(2026, 2, 1), registered)] if registered else [], today=today)
    return periods[-1]


def test_at_risk_with_less_than_three_months_left_and_hours_short():
    """Is a caregiver short of hours with under 3 months left at risk, but not with more time or enough hours?"""
    assert rules.at_risk(_current(10 * H, today=D(2026, 1, 1)), D(2026, 1, 1), 3)
    assert not rules.at_risk(_current(10 * H, today=D(2025, 12, 15)), D(2025, 12, 15), 3)  # exactly 3 left
    assert rules.at_risk(_current(10 * H, today=D(2025, 12, 16)), D(2025, 12, 16), 3)
    assert not rules.at_risk(_current(24 * H), D(2026, 1, 1), 3)
    # Registered hours that would close the gap take them off the list.
    assert not rules.at_risk(_current(10 * H, registered=14 * H), D(2026, 1, 1), 3)


# --- A caregiver in two cases -------------------------------------------------------------------


def test_earliest_agreement_governs_a_caregiver_in_two_cases():
    """Does the earliest agreement among a caregiver's open cases set their duty (tie: lower id)?"""
    older = SimpleNamespace(id=9, agreement_date=D(2023, 5, 1), opened_on=D(2023, 5, 1))
    newer = SimpleNamespace(id=3, agreement_date=D(2025, 2, 1), opened_on=D(2025, 2, 1))
    same_day = SimpleNamespace(id=2, agreement_date=D(2023, 5, 1), opened_on=D(2023, 5, 1))
    assert rules.governing_case([newer, older]) is older
    assert rules.governing_case([older, same_day, newer]) is same_day
    assert rules.governing_case([]) is None
    # Without an agreement date (Polish cases) the start of work anchors the periods.
    polish = SimpleNamespace(id=1, agreement_date=None, opened_on=D(2024, 1, 10))
    assert rules.anchor_of(polish) == D(2024, 1, 10)


@pytest.mark.parametrize(("hours", "minutes"), [(1, 60), (0.25, 15), (1.75, 105), (18, 1080)])
def test_hours_to_minutes(hours, minutes):
    """Are quarter hours converted to whole minutes exactly?"""
    assert rules.to_minutes(hours) == minutes
