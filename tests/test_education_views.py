"""Education pages: events, registration with waiting list, attendance, the caregiver's
hours, external training, plans, at-risk list, statements, the case and home panels."""
import datetime
import threading

import pytest

from models import AuditEntry, MemberRole, Notification, db
from models.education_rules import add_months
from models.education import (
    Attendance,
    EducationError,
    EducationPlan,
    EducationSettings,
    ExternalTraining,
    Registration,
    RegistrationStatus,
    TrainingEvent,
    register,
)

from .conftest import HX
from .factories import make_case, make_member, make_organisation, make_person, make_user
from .families import make_family
from .helpers import field_error, text

NOW = datetime.datetime.now().replace(second=0, microsecond=0)


@pytest.fixture
def accept_language():
    return "en"


def make_event(days=7, capacity=10, minutes=180, **fields):
    """An event ``days`` from now (negative: in the past), ``minutes`` credited."""
    start = NOW + datetime.timedelta(days=days)
    data = {"title": f"Training in {days} days", "starts_at": start,
            "ends_at": start + datetime.timedelta(minutes=max(minutes, 60)),
            "duration_minutes": minutes, "capacity": capacity, "place": "Pardubice"}
    data.update(fields)
    return TrainingEvent.create(**data)


def event_form(**changes):
    start = NOW + datetime.timedelta(days=10)
    data = {"title": "Attachment and trauma", "topic": "Attachment", "description": "",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + datetime.timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M"),
            "duration": "3.5", "place": "Pardubice", "trainer": "Mgr. Eva Malá", "capacity": "12",
            "event_format": "group", "language": "cs"}
    data.update(changes)
    return data


def sign_in(auth, user):
    assert auth.login(user).status_code == 303


# --- Events -----------------------------------------------------------------------------------


def test_staff_create_event_and_see_it_listed(client, auth):
    """Does a valid event get saved (hours as quarter hours) and shown in the upcoming list?"""
    sign_in(auth, make_user("staff"))
    response = client.post("/education/events/new", data=event_form())
    assert response.status_code == 303
    event = TrainingEvent.get(TrainingEvent.title == "Attachment and trauma")
    assert event.duration_minutes == 210 and event.capacity == 12
    assert AuditEntry.select().where((AuditEntry.table == "training_event") & (AuditEntry.action == "create")).exists()
    html = text(client.get("/education/events"))
    assert "Attachment and trauma" in html and "3.5 hours" in html
    assert "Attachment and trauma" not in text(client.get("/education/events?when=past"))


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"duration": "0"}, "duration", "Enter more than zero hours."),
    ({"duration": "-2"}, "duration", "Enter more than zero hours."),
    ({"duration": "1.1"}, "duration", "quarter hours"),
    ({"duration": "9"}, "duration", "cannot be longer than the training itself"),
    ({"ends_at": (NOW + datetime.timedelta(days=9)).strftime("%Y-%m-%dT%H:%M")}, "ends_at", "must end after it starts"),
    ({"capacity": "0"}, "capacity", "Enter between 1 and 500 places."),
    ({"place": ""}, "place", "Enter the place, or tick Online."),
    ({"starts_at": (NOW - datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
      "ends_at": (NOW - datetime.timedelta(hours=20)).strftime("%Y-%m-%dT%H:%M")}, "starts_at", "cannot start in the past"),
])
def test_bad_event_input_is_refused_beside_the_field(client, auth, changes, field, message):
    """Is each bad event refused with 422, the message beside its field and the input kept?"""
    sign_in(auth, make_user("staff"))
    response = client.post("/education/events/new", data=event_form(**changes))
    assert response.status_code == 422
    html = text(response)
    assert message in (field_error(html, field) or "")
    assert 'value="Attachment and trauma"' in html
    assert TrainingEvent.select().count() == 0


def test_bad_event_input_localised(client, auth):
    """Is a refused duration explained in Czech for a Czech user?"""
    sign_in(auth, make_user("staff"))
    response = client.post("/education/events/new", data=event_form(duration="0"),
                           headers={"Accept-Language": "cs"})
    assert response.status_code == 422
    assert "Enter more than zero hours." not in text(response)
    assert field_error(text(response), "duration")


def test_stale_event_edit_refused_with_stored_values(client, auth):
    """Is an edit based on an outdated version refused (409) showing what is stored?"""
    sign_in(auth, make_user("staff"))
    event = make_event(title="Old title")
    TrainingEvent.update(title="Changed meanwhile", version=2).where(TrainingEvent.id == event.id).execute()
    response = client.post(f"/education/events/{event.id}/edit", data=event_form(title="My title", version="1"))
    assert response.status_code == 409
    assert "Changed meanwhile" in text(response)
    assert TrainingEvent.get_by_id(event.id).title == "Changed meanwhile"


# --- Registration, waiting list, cancellation -----------------------------------------------


def test_caregiver_signs_up_and_staff_see_babysitting_request(client, auth):
    """Does a caregiver's sign-up with babysitting reach the event page and the key worker?"""
    family = make_family()
    event = make_event()
    sign_in(auth, family.user)
    response = client.post(f"/education/my/events/{event.id}/register",
                           data={"person": str(family.caregiver.id), "babysitting": "y", "babysitting_note": "Tomáš, 9–12"})
    assert response.status_code == 303
    registration = Registration.get()
    assert (registration.person_id, registration.case_id, registration.status) == (
        family.caregiver.id, family.case.id, RegistrationStatus.REGISTERED)
    assert registration.babysitting and registration.babysitting_note == "Tomáš, 9–12"
    assert Notification.get(Notification.kind == "training_babysitting_requested").user_id == family.key_worker.id
    auth.logout()
    sign_in(auth, family.key_worker)
    html = text(client.get(f"/education/events/{event.id}"))
    assert "Jana CarerA" in html and "Tomáš, 9–12" in html


def test_caregiver_cannot_register_someone_else(client, auth):
    """Is a caregiver posting another person's id refused with a message, nobody registered?"""
    family, other = make_family(tag="A"), make_family(tag="B")
    event = make_event()
    sign_in(auth, family.user)
    response = client.post(f"/education/my/events/{event.id}/register", data={"person": str(other.caregiver.id)})
    assert response.status_code == 422
    assert "You can sign up only yourself" in text(response)
    assert Registration.select().count() == 0


@pytest.mark.parametrize("case", ["past", "twice", "full"])
def test_caregiver_registration_refused(client, auth, case):
    """Are a past event, a second registration and a full event refused with a message (422)?"""
    family = make_family()
    event = make_event(days=-1 if case == "past" else 3, capacity=1)
    if case == "twice":
        register(event, family.caregiver, family.case, family.user)
    if case == "full":
        other = make_family(tag="B")
        register(event, other.caregiver, other.case, other.user)
    before = Registration.select().count()
    sign_in(auth, family.user)
    response = client.post(f"/education/my/events/{event.id}/register", data={"person": str(family.caregiver.id)})
    assert response.status_code == 422
    expected = {"past": "registration is closed", "twice": "already registered", "full": "This training is full"}[case]
    assert expected in text(response)
    assert Registration.select().count() == before
    if case == "full":
        assert "Join the waiting list" in text(response)


def test_full_event_waiting_list_and_promotion_on_cancel(client, auth):
    """Does a full event take the next person onto the waiting list and promote them when a place frees?"""
    first, second = make_family(tag="A"), make_family(tag="B")
    event = make_event(capacity=1)
    register(event, first.caregiver, first.case, first.user)
    sign_in(auth, second.user)
    response = client.post(f"/education/my/events/{event.id}/register",
                           data={"person": str(second.caregiver.id), "waitlist": "1"})
    assert response.status_code == 303
    waiting = Registration.get(Registration.person == second.caregiver)
    assert waiting.status == RegistrationStatus.WAITING
    auth.logout()
    sign_in(auth, first.user)
    mine = Registration.get(Registration.person == first.caregiver)
    assert client.post(f"/education/my/registrations/{mine.id}/cancel").status_code == 303
    assert Registration.get_by_id(mine.id).status == RegistrationStatus.CANCELLED
    assert Registration.get_by_id(waiting.id).status == RegistrationStatus.REGISTERED
    kinds = {(n.kind, n.user_id) for n in Notification.select()}
    assert ("training_cancelled_by_caregiver", first.key_worker.id) in kinds
    assert ("training_place_freed", second.user.id) in kinds
    assert ("training_promoted", second.key_worker.id) in kinds


def test_caregiver_cannot_cancel_someone_elses_registration(client, auth):
    """Is another family's registration id answered 404 and left as it was?"""
    mine, other = make_family(tag="A"), make_family(tag="B")
    event = make_event()
    theirs = register(event, other.caregiver, other.case, other.user)
    sign_in(auth, mine.user)
    assert client.post(f"/education/my/registrations/{theirs.id}/cancel").status_code == 404
    assert Registration.get_by_id(theirs.id).status == RegistrationStatus.REGISTERED


def test_two_people_taking_the_last_place_at_once_do_not_overbook(app, tmp_path):
    """Do two simultaneous registrations for the last place give one place and one refusal?"""
    a, b = make_family(tag="A"), make_family(tag="B")
    event = make_event(capacity=1)
    barrier = threading.Barrier(2)
    outcomes = []

    def take(family):
        with app.test_request_context():
            db.connect(reuse_if_open=True)
            try:
                barrier.wait()
                register(event, family.caregiver, family.case, family.user)
                outcomes.append("place")
            except EducationError:
                outcomes.append("full")
            finally:
                db.close()

    threads = [threading.Thread(target=take, args=(f,)) for f in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["full", "place"]
    assert Registration.select().where(Registration.status == RegistrationStatus.REGISTERED).count() == 1


def test_staff_register_only_caregivers_of_their_families(client, auth):
    """Does the staff register form list only the user's families' caregivers, and refuse others?"""
    own, foreign = make_family(tag="A"), make_family(tag="B")
    event = make_event()
    sign_in(auth, own.key_worker)
    html = text(client.get(f"/education/events/{event.id}/register", headers=HX))
    assert "Jana CarerA" in html and "CarerB" not in html
    response = client.post(f"/education/events/{event.id}/register", data={"person": str(foreign.caregiver.id)}, headers=HX)
    assert response.status_code == 422
    assert Registration.select().count() == 0
    response = client.post(f"/education/events/{event.id}/register", data={"person": str(own.caregiver.id)}, headers=HX)
    assert response.status_code == 200 and "<html" not in text(response)
    assert Registration.get().person_id == own.caregiver.id


# --- Attendance -------------------------------------------------------------------------------------


def test_attendance_credits_the_period_of_the_training(client, auth):
    """Do attended hours recorded inline credit the caregiver's period and show on their page?"""
    family = make_family(agreement_date=datetime.date.today() - datetime.timedelta(days=100))
    event = make_event(days=-2, minutes=180)
    registration = register(event, family.caregiver, family.case, family.user,
                            now=event.starts_at - datetime.timedelta(days=1))
    sign_in(auth, family.key_worker)
    response = client.post(f"/education/registrations/{registration.id}/attendance", headers=HX,
                           data={f"r{registration.id}-attendance": "attended", f"r{registration.id}-hours": "2.5",
                                 f"r{registration.id}-version": str(registration.version)})
    assert response.status_code == 200, text(response)[:500]
    stored = Registration.get_by_id(registration.id)
    assert (stored.attendance, stored.attended_minutes) == (Attendance.ATTENDED, 150)
    html = text(client.get(f"/education/people/{family.caregiver.id}"))
    assert "2.5 hours" in html


@pytest.mark.parametrize(("hours", "message"), [("3.25", "cannot be more than the training"), ("0", "more than zero"),
                                                ("", "Enter the hours attended")])
def test_attended_hours_above_duration_or_missing_refused(client, auth, hours, message):
    """Are attended hours above the duration, zero or missing refused (422) beside the row?"""
    family = make_family()
    event = make_event(days=-2, minutes=180)
    registration = register(event, family.caregiver, family.case, family.user,
                            now=event.starts_at - datetime.timedelta(days=1))
    sign_in(auth, family.key_worker)
    response = client.post(f"/education/registrations/{registration.id}/attendance", headers=HX,
                           data={f"r{registration.id}-attendance": "attended", f"r{registration.id}-hours": hours,
                                 f"r{registration.id}-version": "1"})
    assert response.status_code == 422
    assert message in text(response)
    assert Registration.get_by_id(registration.id).attendance is None


def test_no_show_recorded_without_hours(client, auth):
    """Is a no-show recorded with no hours credited?"""
    family = make_family()
    event = make_event(days=-2)
    registration = register(event, family.caregiver, family.case, family.user,
                            now=event.starts_at - datetime.timedelta(days=1))
    sign_in(auth, family.key_worker)
    response = client.post(f"/education/registrations/{registration.id}/attendance",
                           data={f"r{registration.id}-attendance": "no_show", f"r{registration.id}-hours": "3",
                                 f"r{registration.id}-version": "1"})
    assert response.status_code == 303
    stored = Registration.get_by_id(registration.id)
    assert (stored.attendance, stored.attended_minutes) == (Attendance.NO_SHOW, None)


def test_attendance_before_the_event_refused(client, auth):
    """Can attendance not be recorded for a training that has not started?"""
    family = make_family()
    event = make_event(days=2)
    registration = register(event, family.caregiver, family.case, family.user)
    sign_in(auth, family.key_worker)
    response = client.post(f"/education/registrations/{registration.id}/attendance",
                           data={f"r{registration.id}-attendance": "attended", f"r{registration.id}-hours": "1",
                                 f"r{registration.id}-version": "1"}, headers=HX)
    assert response.status_code == 422
    assert "once the training has started" in text(response)


# --- The caregiver's education page (staff) -----------------------------------------------------


def test_person_page_shows_requirement_from_the_agreement(client, auth):
    """Does a kinship family under the 2025 rules show 18 hours, and the period from the agreement?"""
    family = make_family(agreement_date=datetime.date(2025, 3, 15), new_rules=True, mediated=False)
    sign_in(auth, family.key_worker)
    html = text(client.get(f"/education/people/{family.caregiver.id}"))
    assert "18 hours" in html
    today = datetime.date.today()
    year = today.year if (today.month, today.day) >= (3, 15) else today.year - 1
    assert f"Mar 15, {year}" in html and f"Mar 14, {year + 1}" in html


def test_external_training_and_plan(client, auth):
    """Do external hours count, and is the plan of the current period saved (versioned)?"""
    family = make_family(agreement_date=datetime.date.today() - datetime.timedelta(days=30), mediated=True)
    sign_in(auth, family.key_worker)
    url = f"/education/people/{family.caregiver.id}"
    response = client.post(url + "/external", headers=HX, data={
        "provider": "NRP Centrum", "topic": "Trauma", "date": datetime.date.today().isoformat(), "hours": "4"})
    assert response.status_code == 200
    assert ExternalTraining.get().minutes == 240
    assert "4 hours" in text(client.get(url))
    response = client.post(url + "/plan", data={"topics": "Attachment; school", "version": "0"})
    assert response.status_code == 303
    plan = EducationPlan.get()
    assert plan.topics == "Attachment; school" and plan.case_id == family.case.id
    stale = client.post(url + "/plan", data={"topics": "Other", "version": "0"}, headers=HX)
    assert stale.status_code == 409 and "Attachment; school" in text(stale)
    bad = client.post(url + "/external", headers=HX, data={"provider": "X", "topic": "Y",
                                                           "date": datetime.date.today().isoformat(), "hours": "-1"})
    assert bad.status_code == 422 and "Enter more than zero hours." in text(bad)


def test_caregiver_in_two_cases_governed_by_the_earliest_agreement(client, auth):
    """Does a caregiver in two families follow the earlier agreement, and is that said on the page?"""
    worker = make_user("staff")
    older = make_case(key_worker=worker, name="Older family", agreement_date=datetime.date(2023, 5, 1), new_rules=False)
    newer = make_case(key_worker=worker, name="Newer family", agreement_date=datetime.date(2025, 6, 1),
                      new_rules=True, mediated=False)
    person = make_person("Eva", "Both")
    make_member(older, person, MemberRole.CAREGIVER)
    make_member(newer, person, MemberRole.CAREGIVER)
    sign_in(auth, worker)
    html = text(client.get(f"/education/people/{person.id}"))
    assert "24 hours" in html and "the earliest one, Older family" in html
    assert "May 1, " in html


def test_statement_of_a_period(client, auth):
    """Does the statement list the period's trainings and total, and refuse an unknown period?"""
    family = make_family(agreement_date=datetime.date.today() - datetime.timedelta(days=400), new_rules=False)
    event = make_event(days=-10, minutes=120, title="Play therapy")
    registration = register(event, family.caregiver, family.case, family.user,
                            now=event.starts_at - datetime.timedelta(days=1))
    Registration.update(attendance="attended", attended_minutes=120).where(Registration.id == registration.id).execute()
    sign_in(auth, family.key_worker)
    html = text(client.get(f"/education/people/{family.caregiver.id}/statement"))
    assert "Play therapy" in html and "2 hours" in html
    assert client.get(f"/education/people/{family.caregiver.id}/statement?period=2001-01-01").status_code == 404
    auth.logout()
    sign_in(auth, family.user)
    assert "Play therapy" in text(client.get("/education/my/statement"))


# --- At risk -------------------------------------------------------------------------------------


def test_at_risk_list_per_key_worker(client, auth):
    """Is a caregiver short of hours near the period end listed, and one with enough hours not?"""
    today = datetime.date.today()
    near_end = add_months(today, -12) + datetime.timedelta(days=30)  # about a month left
    worker = make_user("staff", full_name="Klára Keyworker")
    short = make_family(key_worker=worker, tag="S", agreement_date=near_end, new_rules=False)
    done = make_family(key_worker=worker, tag="D", agreement_date=near_end, new_rules=False)
    ExternalTraining.create(person=done.caregiver, case=done.case, provider="P", topic="T",
                            date=today - datetime.timedelta(days=3), minutes=24 * 60)
    other = make_family(tag="O", agreement_date=near_end, new_rules=False)  # another key worker's
    sign_in(auth, worker)
    html = text(client.get("/education/at-risk"))
    assert short.caregiver.full_name in html and "Jana CarerD" not in html and "Jana CarerO" not in html
    admin = make_user("admin")
    auth.logout()
    sign_in(auth, admin)
    html = text(client.get("/education/at-risk"))
    assert "Jana CarerS" in html and "Jana CarerO" in html
    html = text(client.get(f"/education/at-risk?key_worker={worker.id}", headers=HX))
    assert "Jana CarerS" in html and "Jana CarerO" not in html and "<html" not in html
    assert other


# --- Panels and the caregiver's pages --------------------------------------------------------


def test_case_page_and_home_panels(client, auth):
    """Does the case page link each caregiver's education page, and "My family" show the progress bar?"""
    family = make_family(agreement_date=datetime.date.today() - datetime.timedelta(days=30))
    ExternalTraining.create(person=family.caregiver, case=family.case, provider="P", topic="T",
                            date=datetime.date.today(), minutes=6 * 60)
    sign_in(auth, family.key_worker)
    html = text(client.get(f"/cases/{family.case.id}"))
    assert f'href="/education/people/{family.caregiver.id}"' in html and 'id="education"' in html
    auth.logout()
    sign_in(auth, family.user)
    html = text(client.get("/my"))
    assert "<progress" in html and 'value="360"' in html and 'max="1440"' in html
    assert "Done: 6 hours, required: 24 hours" in html


def test_polish_organisation_without_target_shows_no_requirement(client, auth):
    """A Polish organisation without its own target: no hours required, no progress bar."""
    make_organisation(country="pl", default_language="pl")
    family = make_family()
    sign_in(auth, family.user)
    html = text(client.get("/education/my"))
    assert "No requirement set" in html and "<progress" not in html


def test_admin_sets_the_organisation_target(client, auth):
    """Can an admin set the Polish organisation's yearly target, which then applies?"""
    make_organisation(country="pl", default_language="pl")
    family = make_family()
    sign_in(auth, make_user("admin"))
    response = client.post("/education/settings", data={"standard_hours": "10", "version": "1"})
    assert response.status_code == 303
    auth.logout()
    sign_in(auth, family.user)
    assert "10 hours" in text(client.get("/education/my"))


def test_hours_of_sorts_every_kind_of_training_to_its_person(app):
    """Does the one query behind every progress bar (models.education.hours_of) credit
    attended trainings with the minutes attended and external training with its minutes,
    count upcoming trainings with a place as registered, and leave out the rest (a
    waiting place, a cancelled one, an upcoming one already marked, a past one not
    attended, another caregiver's)?"""
    from models.education import ExternalTraining, hours_of

    now = datetime.datetime(2026, 6, 15, 12, 0)
    own, other = make_family(tag="A"), make_family(tag="B")

    def event(days, minutes):
        start = now + datetime.timedelta(days=days)
        return TrainingEvent.create(title=f"T{days}", starts_at=start, ends_at=start + datetime.timedelta(hours=3),
                                    duration_minutes=minutes, capacity=10, place="Brno")

    def registration(family, training, **fields):
        return Registration.create(event=training, person=family.caregiver, case=family.case, **fields)

    registration(own, event(-30, 180), attendance=Attendance.ATTENDED, attended_minutes=150)
    registration(own, event(-20, 180), attendance=Attendance.NO_SHOW)
    registration(own, event(-10, 120))  # past, attendance not recorded yet
    registration(own, event(5, 240))
    registration(own, event(6, 60), status=RegistrationStatus.WAITING)
    registration(own, event(7, 90), status=RegistrationStatus.CANCELLED)
    registration(own, event(8, 30), attendance=Attendance.EXCUSED)
    registration(other, event(5, 240))
    ExternalTraining.create(person=own.caregiver, case=own.case, provider="NRP", topic="Trauma",
                            date=datetime.date(2026, 3, 2), minutes=45)
    ExternalTraining.create(person=other.caregiver, case=other.case, provider="NRP", topic="Trauma",
                            date=datetime.date(2026, 3, 2), minutes=600)

    credits, registered = hours_of([own.caregiver.id], now=now)
    assert sorted(credits[own.caregiver.id]) == [(datetime.date(2026, 3, 2), 45), (datetime.date(2026, 5, 16), 150)]
    assert registered == {own.caregiver.id: [(datetime.date(2026, 6, 20), 240)]}
    assert hours_of([], now=now) == ({}, {})


def test_education_settings_read_once_per_request(app, monkeypatch):
    """Is the settings row read from the database once per request however often a page
    asks for it (the at-risk list asks twice), and read afresh by the next request?"""
    from .families import count_queries

    make_organisation()
    with app.test_request_context("/"), count_queries(monkeypatch) as sql:
        first = EducationSettings.current()
        assert EducationSettings.current() is first
    assert sum("education_settings" in statement for statement in sql) == 1
    EducationSettings.update(standard_minutes=600).execute()
    with app.test_request_context("/"):
        assert EducationSettings.current().standard_minutes == 600


@pytest.mark.parametrize(("lang", "expected"), [("cs", ["1 hodina", "2 hodiny", "5 hodin", "1,5 hodiny"]),
                                                ("pl", ["1 godzina", "2 godziny", "5 godzin", "1,5 godziny"])])
def test_hours_plural_forms(app, lang, expected):
    """Are minutes shown as hours with the correct Czech and Polish plural forms?"""
    from flask_babel import force_locale

    from views.education.routes import minutes_as_hours

    with app.test_request_context(), force_locale(lang):
        assert [minutes_as_hours(m) for m in (60, 120, 300, 90)] == expected


def test_more_places_move_people_up_from_the_waiting_list(client, auth):
    """Does raising the capacity give the new places to the waiting list, first come first served?"""
    a, b, c = make_family(tag="A"), make_family(tag="B"), make_family(tag="C")
    event = make_event(capacity=1)
    register(event, a.caregiver, a.case, a.user)
    second = register(event, b.caregiver, b.case, b.user, waitlist=True)
    third = register(event, c.caregiver, c.case, c.user, waitlist=True)
    sign_in(auth, make_user("staff"))
    start = event.starts_at
    response = client.post(f"/education/events/{event.id}/edit", data=event_form(
        title=event.title, starts_at=start.strftime("%Y-%m-%dT%H:%M"),
        ends_at=(start + datetime.timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M"), duration="3",
        capacity="2", version=str(event.version)))
    assert response.status_code == 303
    assert Registration.get_by_id(second.id).status == RegistrationStatus.REGISTERED
    assert Registration.get_by_id(third.id).status == RegistrationStatus.WAITING
    assert Notification.select().where(Notification.kind == "training_place_freed").count() == 1


def test_capacity_below_places_taken_refused(client, auth):
    """Can the places not be cut below the number of people who already have one?"""
    a, b = make_family(tag="A"), make_family(tag="B")
    event = make_event(capacity=3)
    register(event, a.caregiver, a.case, a.user)
    register(event, b.caregiver, b.case, b.user)
    sign_in(auth, make_user("staff"))
    start = event.starts_at
    response = client.post(f"/education/events/{event.id}/edit", data=event_form(
        starts_at=start.strftime("%Y-%m-%dT%H:%M"),
        ends_at=(start + datetime.timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M"), capacity="1",
        version=str(event.version)))
    assert response.status_code == 422
    assert "2 people already have a place" in field_error(text(response), "capacity")
    assert TrainingEvent.get_by_id(event.id).capacity == 3


def test_staff_cancel_promotes_and_training_on_last_day_of_period_counts(client, auth):
    """Does a staff cancellation promote the waiting person; does a training on a period's last day credit it?"""
    today = datetime.date.today()
    # The agreement's anniversary is tomorrow: today is the last day of the current period.
    anniversary = today + datetime.timedelta(days=1)
    # Four years back, so that even a 29 February anniversary exists in the agreement's year.
    family = make_family(agreement_date=add_months(anniversary, -48), new_rules=False)
    other = make_family(tag="B")
    event = make_event(capacity=1)
    mine = register(event, family.caregiver, family.case, family.user)
    waiting = register(event, other.caregiver, other.case, other.user, waitlist=True)
    sign_in(auth, family.key_worker)
    assert client.post(f"/education/registrations/{mine.id}/cancel").status_code == 303
    assert Registration.get_by_id(waiting.id).status == RegistrationStatus.REGISTERED
    ExternalTraining.create(person=family.caregiver, case=family.case, provider="P", topic="T", date=today, minutes=90)
    html = text(client.get(f"/education/people/{family.caregiver.id}"))
    assert "Done: 1.5 hours, required: 24 hours" in html


def test_duration_cannot_drop_below_hours_already_credited(client, auth):
    """Is a past training's duration kept at least as long as the hours someone was credited?"""
    family = make_family()
    event = make_event(days=-3, minutes=180)
    registration = register(event, family.caregiver, family.case, family.user,
                            now=event.starts_at - datetime.timedelta(days=1))
    Registration.update(attendance="attended", attended_minutes=150).where(Registration.id == registration.id).execute()
    sign_in(auth, make_user("staff"))
    start = event.starts_at
    response = client.post(f"/education/events/{event.id}/edit", data=event_form(
        starts_at=start.strftime("%Y-%m-%dT%H:%M"), ends_at=(start + datetime.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
        duration="2", version=str(event.version)))
    assert response.status_code == 422
    assert "already been credited 2.5 hours" in field_error(text(response), "duration")
    assert TrainingEvent.get_by_id(event.id).duration_minutes == 180


@pytest.mark.parametrize(("case_type", "minutes"), [("cz_foster", 24 * 60), ("pl_foster", None)])
def test_hours_follow_the_familys_legal_system(app, case_type, minutes):
    """In a Czech organisation, does a family under Polish law (its kind of case) get the
    Polish rule (no statutory hours) and a Czech family the Czech 24 hours?"""
    from models.education import progress_for

    make_organisation(country="cz")
    family = make_family(case_type=case_type, agreement_date=datetime.date(2024, 3, 15), mediated=True)
    progress = progress_for([family.caregiver.id], today=datetime.date(2026, 11, 1))[family.caregiver.id]
    assert progress.requirement.minutes == minutes
