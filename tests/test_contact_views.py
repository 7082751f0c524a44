"""The contacts pages for staff and caregivers: scheduling with checks, bad input, series,
lifecycle and outcome, "we cannot come", the calendar, the list and the panels."""
import datetime
import re

import pytest

from models import AuditEntry, ConflictDeclaration, ExcludedPerson, MemberRole, Notification
from models.contact_rules import to_local
from models.contacts import Contact, ContactOrder, ContactParticipant, ContactStatus

from .conftest import HX
from .contact_factories import PRAGUE, local, make_contact, make_room, next_weekday
from .factories import make_case, make_member, make_user
from .families import make_family
from .helpers import field_error, text


@pytest.fixture
def accept_language():
    return "en"


@pytest.fixture
def world(app):
    family = make_family(tag="V")
    family.relative_member = family.relative.memberships[0]
    family.caregiver_member = family.caregiver.memberships[0]
    family.room = make_room("Blue room", buffer_minutes=15, address="Main St 1")
    family.day = next_weekday(1)  # a Tuesday, more than a week ahead
    return family


def form_data(world, **changes):
    data = {
        "children": [str(world.child_member.id)],
        "visitors": [str(world.relative_member.id)],
        "caregivers": [str(world.caregiver_member.id)],
        "workers": [str(world.key_worker.id)],
        "room": str(world.room.id), "place": "",
        "day": world.day.isoformat(), "start_time": "10:00", "end_time": "11:30",
        "arrive_before": "15", "leave_after": "10", "order": "0",
        "purpose": "Regular contact with grandmother", "prep_child": "", "prep_caregivers": "Bring the photo album",
        "prep_visitors": "", "repeat": "", "action": "save",
    }
    data.update(changes)
    return data


def schedule(client, world, **changes):
    return client.post(f"/contacts/new?case={world.case.id}", data=form_data(world, **changes))


def test_schedule_a_contact(client, auth, world):
    auth.login(world.key_worker)
    response = schedule(client, world)
    assert response.status_code == 303, text(response)[:2000]
    contact = Contact.get()
    assert response.headers["Location"].endswith(f"/contacts/{contact.id}")
    assert to_local(contact.starts_at, PRAGUE) == datetime.datetime.combine(world.day, datetime.time(10))
    assert to_local(contact.span_start, PRAGUE).time() == datetime.time(9, 45)
    assert to_local(contact.span_end, PRAGUE).time() == datetime.time(11, 40)
    kinds = sorted(p.kind for p in ContactParticipant.select())
    assert kinds == ["caregiver", "child", "visitor", "worker"]
    assert AuditEntry.select().where((AuditEntry.table == "contact") & (AuditEntry.action == "create")).count() == 1
    page = text(client.get(f"/contacts/{contact.id}"))
    assert "Blue room" in page and "Marie RelativeV" in page and "Bring the photo album" in page


def test_new_contact_form_and_family_picker(client, auth, world):
    auth.login(world.key_worker)
    picker = text(client.get("/contacts/new"))
    assert f'<option value="{world.case.id}">Family V</option>' in picker
    form = text(client.get(f"/contacts/new?case={world.case.id}"))
    assert 'hx-trigger="change delay:300ms"' in form and 'aria-live="polite"' in form
    assert "Tomáš ChildV" in form and "Marie RelativeV" in form


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"end_time": "09:00"}, "end_time", "The end must be after the start."),
    ({"start_time": "06:00", "end_time": "18:30"}, "end_time", "A contact may last at most 12 hours."),
    ({"day": "2020-01-07"}, "start_time", "A new contact cannot start in the past."),
    ({"room": "999"}, "room", "Unknown room."),
    ({"room": "0", "place": ""}, "place", "Choose a room or enter the place."),
    ({"children": []}, "children", "Choose at least one child."),
    ({"workers": []}, "workers", "Choose at least one supervising worker."),
])
def test_bad_input_is_refused_with_the_input_kept(client, auth, world, changes, field, message):
    auth.login(world.key_worker)
    response = schedule(client, world, purpose="Kept purpose text", **changes)
    assert response.status_code == 422
    html = text(response)
    assert field_error(html, field) == message
    assert "Kept purpose text" in html
    assert Contact.select().count() == 0


def test_visitor_not_among_the_childs_relatives(client, auth, world):
    """A relative of another child of the family, and a member of another family, are refused."""
    auth.login(world.key_worker)
    sibling = make_member(world.case, role=MemberRole.CHILD)
    aunt = make_member(world.case, role=MemberRole.RELATIVE, child=sibling, relation="aunt")
    response = schedule(client, world, visitors=[str(aunt.id)])
    assert response.status_code == 422
    assert "is not among the relatives of the chosen children" in field_error(text(response), "visitors")
    other = make_family(key_worker=world.key_worker, tag="W")
    foreign_relative = other.relative.memberships[0]
    response = schedule(client, world, visitors=[str(foreign_relative.id)])
    assert field_error(text(response), "visitors") == "This person is not among the child&#39;s relatives."
    response = schedule(client, world, children=[str(other.child_member.id)])
    assert field_error(text(response), "children") == "A child from another family cannot be chosen."
    assert Contact.select().count() == 0


def test_live_check_reports_room_booked_with_buffer(client, auth, world):
    auth.login(world.key_worker)
    other = make_case(name="Other family")
    make_contact(other, local(world.day, 11, 45), local(world.day, 12, 30), room=world.room)
    response = client.post(f"/contacts/check?case={world.case.id}", data=form_data(world), headers=HX)
    html = text(response)
    assert response.status_code == 200 and "<html" not in html
    assert "The room Blue room is already booked" in html and "15 minutes are kept free" in html
    assert "Other family" not in html  # a foreign family is not named
    # The same check refuses the save, with the same message, and stores nothing.
    refused = schedule(client, world)
    assert refused.status_code == 422
    assert "The room Blue room is already booked" in text(refused)
    assert Contact.select().count() == 1
    # Without the staggered leaving time the booking ends at 11:30, and 15 minutes later
    # the other contact begins: no clash. The visitors leaving at 11:40 made the clash.
    clear = text(client.post(f"/contacts/check?case={world.case.id}",
                             data=form_data(world, leave_after="0"), headers=HX))
    assert "No clashes found." in clear


def test_live_check_refuses_excluded_visitor_and_conflicted_worker(client, auth, world):
    auth.login(world.key_worker)
    ExcludedPerson.create(child=world.child_member, person=world.relative)
    colleague = make_user("staff", full_name="Petra Conflicted")
    ConflictDeclaration.create(user=colleague, person=world.relative, kind="family")
    html = text(client.post(f"/contacts/check?case={world.case.id}",
                            data=form_data(world, workers=[str(world.key_worker.id), str(colleague.id)]), headers=HX))
    assert "Marie RelativeV may not be present at Tomáš ChildV&#39;s contacts." in html
    assert "Petra Conflicted has declared a conflict of interest with Marie RelativeV" in html
    assert "Court order V" not in html  # the restriction text stays on the case page
    assert schedule(client, world, workers=[str(world.key_worker.id), str(colleague.id)]).status_code == 422


def test_outside_working_hours_only_warns(client, auth, world):
    auth.login(world.key_worker)
    response = schedule(client, world, start_time="18:00", end_time="19:00", arrive_before="0", leave_after="0")
    assert response.status_code == 303
    page = text(client.get(response.headers["Location"]))
    assert "outside the organisation&#39;s working hours" in page


def test_worker_already_supervising(client, auth, world):
    auth.login(world.key_worker)
    other = make_case(name="Elsewhere family")
    make_contact(other, local(world.day, 9), local(world.day, 10), workers=[world.key_worker], place="Park")
    html = text(schedule(client, world))  # visitors arrive 9:45
    assert "Klára WorkerV is already supervising another contact" in html


def test_series_preview_skip_move_and_create_across_dst(client, auth, world):
    """A weekly series on Sundays over the change to winter time keeps 10:00 local."""
    auth.login(world.key_worker)
    today = datetime.date.today()
    # The last Sunday of October of a coming year.
    year = today.year + 1
    last_sunday = max(datetime.date(year, 10, d) for d in range(25, 32) if datetime.date(year, 10, d).weekday() == 6)
    first = last_sunday - datetime.timedelta(days=7)
    data = form_data(world, day=first.isoformat(), repeat="weekly", repeat_count="3", action="preview",
                     arrive_before="0", leave_after="0")
    blocker = make_contact(make_case(name="Blocker"), local(first + datetime.timedelta(days=14), 10),
                           local(first + datetime.timedelta(days=14), 11), room=world.room)
    preview = client.post(f"/contacts/new?case={world.case.id}", data=data)
    html = text(preview)
    assert preview.status_code == 200
    assert html.count('name="occ-') >= 3 and "already booked" in html
    # Creating while a clash remains is refused.
    assert client.post(f"/contacts/new?case={world.case.id}",
                       data={**data, "action": "create_series"}).status_code == 422
    moved = {**data, "action": "create_series", "occ-2": "move",
             "occ-2-day": (first + datetime.timedelta(days=15)).isoformat(), "occ-2-time": "10:00"}
    response = client.post(f"/contacts/new?case={world.case.id}", data=moved)
    assert response.status_code == 303, text(response)[:3000]
    created = list(Contact.select().where(Contact.id != blocker.id).order_by(Contact.starts_at))
    assert len(created) == 3 and len({c.series_id for c in created}) == 1
    assert [to_local(c.starts_at, PRAGUE).time() for c in created] == [datetime.time(10)] * 3
    assert [c.starts_at.hour for c in created] == [8, 9, 9]  # UTC: summer, then winter time
    assert to_local(created[2].starts_at, PRAGUE).date() == first + datetime.timedelta(days=15)

    # Edit the second and the following: the new time applies to both, dates stay.
    second = created[1]
    edit = form_data(world, day=to_local(second.starts_at, PRAGUE).date().isoformat(), start_time="14:00",
                     end_time="15:00", arrive_before="0", leave_after="0", scope="following",
                     version=str(second.version))
    response = client.post(f"/contacts/{second.id}/edit", data=edit)
    assert response.status_code == 303, text(response)[:3000]
    times = [to_local(Contact.get_by_id(c.id).starts_at, PRAGUE) for c in created]
    assert [t.time() for t in times] == [datetime.time(10), datetime.time(14), datetime.time(14)]
    assert times[2].date() == first + datetime.timedelta(days=15)


def test_stale_edit_is_refused_with_stored_values(client, auth, world):
    auth.login(world.key_worker)
    contact = make_contact(world.case, local(world.day, 10), local(world.day, 11), room=world.room,
                           children=[world.child_member], workers=[world.key_worker])
    Contact.update(version=5).where(Contact.id == contact.id).execute()
    response = client.post(f"/contacts/{contact.id}/edit", data=form_data(world, version="1", purpose="Mine"))
    assert response.status_code == 409
    assert "Someone else changed this contact" in text(response) and "Mine" in text(response)
    assert Contact.get_by_id(contact.id).purpose == ""


def test_lifecycle_confirm_held_outcome(client, auth, world):
    auth.login(world.key_worker)
    start = datetime.datetime.now(datetime.UTC).replace(tzinfo=None, microsecond=0) + datetime.timedelta(hours=2)
    contact = make_contact(world.case, start, start + datetime.timedelta(hours=1), room=world.room,
                           children=[world.child_member], visitors=[world.relative_member], workers=[world.key_worker])
    assert client.post(f"/contacts/{contact.id}/status", data={"action": "confirm"}).status_code == 303
    assert Contact.get_by_id(contact.id).status == ContactStatus.CONFIRMED
    # Not held before it begins.
    assert client.post(f"/contacts/{contact.id}/status", data={"action": "held"}).status_code == 409
    Contact.update(starts_at=start - datetime.timedelta(hours=3), ends_at=start - datetime.timedelta(hours=2)) \
        .where(Contact.id == contact.id).execute()
    assert client.post(f"/contacts/{contact.id}/status", data={"action": "held"}).status_code == 303
    form = text(client.get(f"/contacts/{contact.id}/outcome"))
    assert 'value="60"' in form
    visitor = ContactParticipant.get((ContactParticipant.contact == contact) & (ContactParticipant.kind == "visitor"))
    response = client.post(f"/contacts/{contact.id}/outcome", data={
        "actual_minutes": "50", "attended": [str(visitor.id)], "child_reactions": "Happy", "child_view": "Wants more",
        "incidents": "", "summary": "A calm meeting.", "summary_shared": "y",
        "version": str(Contact.get_by_id(contact.id).version)})
    assert response.status_code == 303
    stored = Contact.get_by_id(contact.id)
    assert (stored.actual_minutes, stored.summary_shared, stored.child_view) == (50, True, "Wants more")
    assert ContactParticipant.get_by_id(visitor.id).attended is True
    # Bad outcome input: kept, 422.
    bad = client.post(f"/contacts/{contact.id}/outcome", data={"actual_minutes": "", "summary": "Kept",
                                                                "version": str(stored.version)})
    assert bad.status_code == 422 and "Kept" in text(bad)


def test_cancel_ended_early_and_no_show(client, auth, world):
    auth.login(world.key_worker)
    soon = datetime.datetime.now(datetime.UTC).replace(tzinfo=None) + datetime.timedelta(hours=3)
    a = make_contact(world.case, soon, soon + datetime.timedelta(hours=1), place="Park")
    missing = client.post(f"/contacts/{a.id}/status", data={"action": "cancel", "party": "visitor", "reason": ""})
    assert missing.status_code == 422 and field_error(text(missing), "reason")
    assert client.post(f"/contacts/{a.id}/status",
                       data={"action": "cancel", "party": "visitor", "reason": "Ill"}).status_code == 303
    a = Contact.get_by_id(a.id)
    assert (a.status, a.cancelled_by, a.cancelled_late) == ("cancelled", "visitor", True)
    # The family's caregiver (with an account) is told.
    assert Notification.get(Notification.kind == "contact_cancelled").user_id == world.user.id
    past = datetime.datetime.now(datetime.UTC).replace(tzinfo=None) - datetime.timedelta(hours=2)
    b = make_contact(world.case, past, past + datetime.timedelta(hours=1), place="Park")
    client.post(f"/contacts/{b.id}/status", data={"action": "ended_early", "reason": "aggression", "note": "Shouting"})
    b = Contact.get_by_id(b.id)
    assert (b.status, b.ended_early_reason, b.incidents) == ("ended_early", "aggression", "Shouting")
    c = make_contact(world.case, past, past + datetime.timedelta(hours=1), place="Park")
    client.post(f"/contacts/{c.id}/status", data={"action": "no_show", "party": "caregiver"})
    assert Contact.get_by_id(c.id).no_show_party == "caregiver"
    assert client.post(f"/contacts/{c.id}/status", data={"action": "bogus"}).status_code == 400


def test_caregiver_cannot_come_and_staff_answer(client, auth, world):
    helper = make_user("staff", full_name="Supervising Helper")
    contact = make_contact(world.case, local(world.day, 10), local(world.day, 11), room=world.room,
                           children=[world.child_member], visitors=[world.relative_member],
                           workers=[helper], caregivers=[world.caregiver_member])
    auth.login(world.user)
    page = text(client.get("/contacts/my"))
    assert "Tomáš" in page and "Blue room" in page and "Supervising Helper" in page
    for secret in ("Marie", "RelativeV", world.secrets["relative_phone"], world.secrets["relative_address"]):
        assert secret not in page
    empty = client.post(f"/contacts/my/{contact.id}/cannot-come", data={"reason": ""})
    assert empty.status_code == 422
    response = client.post(f"/contacts/my/{contact.id}/cannot-come", data={"reason": "Tomáš has the flu"})
    assert response.status_code == 303
    assert Contact.get_by_id(contact.id).status == ContactStatus.CANCELLATION_REQUESTED
    told = {n.user_id for n in Notification.select().where(Notification.kind == "contact_cannot_come")}
    assert told == {world.key_worker.id, helper.id}
    auth.logout()

    auth.login(world.key_worker)
    detail = text(client.get(f"/contacts/{contact.id}"))
    assert "cannot come: Tomáš has the flu" in detail
    notes = text(client.get("/notifications/"))
    assert "cannot come to the contact" in notes
    # Propose a new time: planned again, the caregiver is told.
    response = client.post(f"/contacts/{contact.id}/edit", data=form_data(
        world, start_time="13:00", end_time="14:00", workers=[str(helper.id)],
        version=str(Contact.get_by_id(contact.id).version)))
    assert response.status_code == 303, text(response)[:2000]
    stored = Contact.get_by_id(contact.id)
    assert stored.status == ContactStatus.PLANNED and stored.cancel_request_reason == ""
    assert Notification.get(Notification.kind == "contact_new_time").user_id == world.user.id


def test_staff_confirm_a_cancellation_request(client, auth, world):
    contact = make_contact(world.case, local(world.day, 10), local(world.day, 11), room=world.room,
                           children=[world.child_member], workers=[world.key_worker])
    auth.login(world.user)
    client.post(f"/contacts/my/{contact.id}/cannot-come", data={"reason": "Holiday"})
    auth.logout()
    auth.login(world.key_worker)
    assert client.post(f"/contacts/{contact.id}/status", data={"action": "confirm_cancellation"}).status_code == 303
    stored = Contact.get_by_id(contact.id)
    assert (stored.status, stored.cancelled_by, stored.cancel_reason, stored.cancelled_late) == (
        "cancelled", "caregiver", "Holiday", False)
    assert Notification.get(Notification.kind == "contact_cancellation_confirmed").user_id == world.user.id


def test_caregiver_sees_only_shared_summaries(client, auth, world):
    past = local(datetime.date.today() - datetime.timedelta(days=10), 10)
    make_contact(world.case, past, past + datetime.timedelta(hours=1), status=ContactStatus.HELD, place="Park",
                 children=[world.child_member], summary="Shared summary text", summary_shared=True,
                 incidents="Secret incident")
    make_contact(world.case, past, past + datetime.timedelta(hours=1), status=ContactStatus.HELD, place="Park",
                 children=[world.child_member], summary="Private summary text")
    auth.login(world.user)
    page = text(client.get("/contacts/my"))
    assert "Shared summary text" in page
    assert "Private summary text" not in page and "Secret incident" not in page


def test_week_list_and_panels(client, auth, world):
    auth.login(world.key_worker)
    mine = make_contact(world.case, local(world.day, 10), local(world.day, 11), room=world.room,
                        children=[world.child_member], workers=[world.key_worker])
    foreign = make_family(tag="F")
    make_contact(foreign.case, local(world.day, 14), local(world.day, 15), room=world.room,
                 children=[foreign.child_member])
    week = text(client.get(f"/contacts/week?start={world.day.isoformat()}"))
    assert "Blue room" in week and f"/contacts/{mine.id}" in week
    assert "Booked" in week and "Family F" not in week and "ChildF" not in week
    fragment = text(client.get(f"/contacts/week?start={world.day.isoformat()}&by=worker", headers=HX))
    assert "<html" not in fragment and "Klára WorkerV" in fragment
    listing = text(client.get("/contacts/"))
    assert "1 contact found" in listing and "Family F" not in listing
    assert "0 contacts found" in text(client.get("/contacts/?status=held"))
    ContactOrder.create(case=world.case, child=world.child_member, per_month=2, reference="12 P 34/2025")
    case_page = text(client.get(f"/cases/{world.case.id}"))
    assert "ordered 2 a month" in case_page and "Schedule a contact" in case_page
    assert re.search(r"1 planned", case_page) or "no contacts" in case_page


def test_staff_home_shows_todays_contacts(client, auth, world):
    auth.login(world.key_worker)
    now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    local_now = to_local(now, PRAGUE)
    start = local(local_now.date(), 12) if local_now.hour < 22 else now
    make_contact(world.case, start, start + datetime.timedelta(minutes=30), place="Library",
                 workers=[world.key_worker])
    home = text(client.get("/staff"))
    assert "Today's contacts" in home and "Library" in home


def test_orders_rooms_and_settings(client, auth, world):
    auth.login(world.key_worker)
    response = client.post(f"/contacts/orders/{world.case.id}", data={
        "child": str(world.child_member.id), "issuer": "court", "reference": "12 P 1/2026", "per_month": "2"})
    assert response.status_code == 303 and ContactOrder.get().per_month == 2
    other = make_family(tag="O", key_worker=world.key_worker)
    bad = client.post(f"/contacts/orders/{world.case.id}", data={
        "child": str(other.child_member.id), "issuer": "court", "per_month": "2"})
    assert bad.status_code == 422
    # Staff see rooms; only administrators add them or change the settings.
    assert client.get("/contacts/rooms").status_code == 200
    assert client.post("/contacts/rooms", data={"name": "X", "capacity": "4", "buffer_minutes": "10"}).status_code == 403
    auth.logout()
    auth.as_role("admin")
    assert client.post("/contacts/rooms", data={"name": "Green", "capacity": "4", "buffer_minutes": "10",
                                                "active": "y"}).status_code == 303
    assert client.post("/contacts/settings", data={"day_start": "07:00", "day_end": "19:00", "working_days": ["1", "2"],
                                                   "default_buffer_minutes": "20", "max_hours": "8"}).status_code == 303
    from models.contacts import ContactSettings

    stored = ContactSettings.get()
    assert (stored.day_start_minutes, stored.working_days, stored.max_minutes) == (420, "12", 480)
    assert client.post("/contacts/settings", data={"day_start": "19:00", "day_end": "07:00", "default_buffer_minutes": "20",
                                                   "max_hours": "8", "version": "1"}).status_code == 422


def test_week_rows_are_paginated(client, auth, world):
    """Rooms come twelve to a page, so the calendar stays the same size as rooms are added."""
    auth.login(world.key_worker)
    rooms = [make_room(f"Room {i:02d}") for i in range(13)]
    late = make_contact(world.case, local(world.day, 10), local(world.day, 11), room=rooms[-1],
                        children=[world.child_member], workers=[world.key_worker])
    first = text(client.get(f"/contacts/week?start={world.day.isoformat()}"))
    # The world's "Blue room" comes first: page one ends with Room 10.
    assert "Room 00" in first and "Room 10" in first and "Room 11" not in first
    assert f"/contacts/{late.id}" not in first
    second = text(client.get(f"/contacts/week?start={world.day.isoformat()}&rows=2"))
    assert "Room 12" in second and f"/contacts/{late.id}" in second and "Room 00" not in second
    by_worker = text(client.get(f"/contacts/week?start={world.day.isoformat()}&by=worker"))
    assert "Klára WorkerV" in by_worker and f"/contacts/{late.id}" in by_worker


def test_case_page_compliance_sentence(client, auth, world):
    """"ordered 2 a month; <month>: 1 held, 1 cancelled by the visitor"."""
    auth.login(world.key_worker)
    ContactOrder.create(case=world.case, child=world.child_member, per_month=2)
    today = datetime.date.today()
    first = today.replace(day=1)
    for status, extra in ((ContactStatus.HELD, {}), (ContactStatus.CANCELLED, {"cancelled_by": "visitor"})):
        make_contact(world.case, local(first, 10), local(first, 11), place="Park", status=status,
                     children=[world.child_member], **extra)
    html = text(client.get(f"/cases/{world.case.id}"))
    assert "ordered 2 a month" in html
    assert re.search(r": 1 held, 1 cancelled by the visitor", html)
