"""The caregiver's home "My family": what they see, what they never see, and their own
contact details (validation, lost updates, audit and the key worker's notification)."""
import json
import re

import pytest

from models import AuditEntry, CaseStatus, MemberRole, Notification, Person

from .conftest import HX
from .factories import make_case, make_member, make_person, make_user
from .families import count_queries, make_family
from .helpers import field_error, location_path, text


@pytest.fixture
def accept_language():
    """These tests read the English source texts."""
    return "en"


@pytest.fixture
def family(app):
    return make_family(tag="A")


def contact_data(person, **changes):
    """The contact form as the caregiver would send it, based on ``person``'s version."""
    data = {"phone": person.phone, "email": person.email, "address": person.address, "version": str(person.version)}
    data.update(changes)
    return data


# --- What the caregiver sees ---------------------------------------------------------------


def test_my_family_shows_family_key_worker_and_members(client, auth, family):
    """Does "My family" show the family, how to reach the key worker, and the members?"""
    auth.login(family.user)
    response = client.get("/my")
    assert response.status_code == 200
    html = text(response)
    assert "Family A" in html
    assert "Active" in html
    kw = family.key_worker
    assert kw.full_name in html
    assert f'href="mailto:{kw.email}"' in html
    assert kw.phone in html
    for person in (family.caregiver, family.child, family.relative):
        assert person.full_name in html
    assert "Child placed in the family, 7 years" in html
    assert "Relative or close person" in html


def test_my_family_never_shows_relatives_details_notes_or_restrictions(client, auth, family):
    """Are relatives' contact details, staff notes and contact restrictions absent from the
    HTML, although they are stored?"""
    assert Person.get_by_id(family.relative.id).address == family.secrets["relative_address"]
    auth.login(family.user)
    html = text(client.get("/my"))
    for name, secret in family.secrets.items():
        assert secret not in html, name
    # The child's and relative's other data are not there either.
    assert str(family.child.date_of_birth) not in html
    assert "grandmother" not in html


def test_template_does_not_receive_hidden_fields(app, client, auth, family):
    """Does the template context hold only the shown fields (no model objects)?"""
    from flask import template_rendered

    seen = []

    def record(sender, template, context, **extra):
        if template.name == "home/caregiver.html":
            seen.append(context)

    auth.login(family.user)
    template_rendered.connect(record, app)
    try:
        client.get("/my")
    finally:
        template_rendered.disconnect(record, app)
    context = seen[0]
    dumped = repr(context["families"]) + repr(context["me"])
    for name, secret in family.secrets.items():
        assert secret not in dumped, name
    member_fields = set(vars(context["families"][0].members[0]))
    assert member_fields == {"name", "role", "age"}
    assert set(vars(context["families"][0].key_worker)) == {"name", "email", "phone"}


def test_caregiver_sees_only_own_family(client, auth, family):
    """Does a second family's caregiver see nothing of the first family on /my?"""
    other = make_family(tag="B")
    auth.login(other.user)
    html = text(client.get("/my"))
    assert "Family B" in html
    assert "Family A" not in html
    for person in (family.caregiver, family.child, family.relative):
        assert person.full_name not in html
    assert family.key_worker.full_name not in html
    assert family.key_worker.email not in html


@pytest.mark.parametrize("path", ["/cases/", "/cases/{case}", "/cases/{case}/history", "/cases/new",
                                  "/people/{person}", "/people/{relative}", "/people/{relative}/edit",
                                  "/staff"])
def test_caregiver_cannot_open_staff_pages(client, auth, family, path):
    """Is every case and person page, even of their own family, closed to a caregiver?"""
    auth.login(family.user)
    url = path.format(case=family.case.id, person=family.caregiver.id, relative=family.relative.id)
    assert client.get(url).status_code == 403


def test_caregiver_cannot_post_to_case_pages(client, auth, family):
    """Can a caregiver not change their case through the staff endpoints?"""
    auth.login(family.user)
    response = client.post(f"/cases/{family.case.id}/members/{family.child_member.id}/remove")
    assert response.status_code == 403


def test_staff_cannot_open_caregiver_home(client, auth, family):
    """Is /my only for caregivers?"""
    auth.login(family.key_worker)
    assert client.get("/my").status_code == 403
    assert client.get("/my/contact").status_code == 403
    assert client.get("/my/contact", headers=HX).status_code == 403
    assert client.post("/my/contact", data={"version": "1"}).status_code == 403
    auth.logout()
    assert location_path(client.get("/my/contact")).startswith("/auth/login")


def test_caregiver_without_person_sees_friendly_message(client, auth):
    """Does a caregiver not yet linked to a record get an explanation instead of an error?"""
    auth.as_role("caregiver")
    response = client.get("/my")
    assert response.status_code == 200
    html = text(response)
    assert "not linked to a family" in html
    assert 'action="/my/contact"' not in html and 'href="/my/contact' not in html
    assert client.get("/my/contact").status_code == 404
    assert client.post("/my/contact", data={"phone": "1", "version": "1"}).status_code == 404


def test_caregiver_with_person_but_no_case(client, auth):
    """Does a caregiver whose record is in no family see the message and their own
    details, with the way to change them?"""
    user = auth.as_role("caregiver")
    make_person("Eva", "Alone", account=user, phone="123")
    html = text(client.get("/my"))
    assert "not linked to a family" in html
    assert "<dd>123</dd>" in html and 'href="/my/contact#contact-heading"' in html
    assert 'action="/my/contact"' in text(client.get("/my/contact"))


def test_contact_details_are_shown_and_the_form_is_one_link_away(client, auth, family):
    """Does "My family" show the stored details as text (no form), and does the link give
    the form filled with them: the whole page without JavaScript, only the section with
    htmx?"""
    auth.login(family.user)
    me = family.caregiver
    html = text(client.get("/my"))
    assert f"<dd>{me.phone}</dd>" in html and f"<dd>{me.email}</dd>" in html
    assert 'action="/my/contact"' not in html
    assert re.search(r'<a class="button" href="/my/contact#contact-heading"\s+hx-get="/my/contact"', html)
    page = text(client.get("/my/contact"))
    assert "Family A" in page and 'action="/my/contact"' in page
    assert f'value="{me.phone}"' in page and re.search(rf'name="version" type="hidden" value="{me.version}"', page)
    fragment = text(client.get("/my/contact", headers=HX))
    assert fragment.strip().startswith('<div id="contact-details">') and "Family A" not in fragment
    assert f'value="{me.email}"' in fragment and "<html" not in fragment


def test_closed_family_is_listed_after_open_one(client, auth, family):
    """Does a caregiver of two families see both, the open one first?"""
    old = make_case(family.key_worker, name="Aaa closed family", status=CaseStatus.CLOSED)
    make_member(old, family.caregiver, MemberRole.CAREGIVER)
    auth.login(family.user)
    html = text(client.get("/my"))
    assert html.index("Family A") < html.index("Aaa closed family")


def test_my_family_queries_do_not_grow_with_members(client, auth, family, monkeypatch):
    """Is the page a fixed number of queries, however many members (no N+1)?"""
    auth.login(family.user)
    client.get("/my")
    with count_queries(monkeypatch) as few:
        assert client.get("/my").status_code == 200
    for _i in range(6):
        make_member(family.case, make_person(), MemberRole.CHILD)
    with count_queries(monkeypatch) as many:
        assert client.get("/my").status_code == 200
    assert len(many) == len(few)


# --- Own contact details -------------------------------------------------------------------


def test_contact_update_saves_audits_and_notifies_key_worker(client, auth, family):
    """Does a plain POST save the details, write the case history, notify the key worker
    and redirect back (303)?"""
    auth.login(family.user)
    person = family.caregiver
    response = client.post("/my/contact", data=contact_data(person, phone="+420 731 000 111",
                                                            address="New Street 5, Praha"))
    assert response.status_code == 303
    assert location_path(response) == "/my"
    stored = Person.get_by_id(person.id)
    assert stored.phone == "+420 731 000 111"
    assert stored.address == "New Street 5, Praha"
    assert stored.version == person.version + 1
    assert stored.staff_notes == family.secrets["person_notes"]  # untouched
    entry = AuditEntry.get((AuditEntry.table == "person") & (AuditEntry.action == "update"))
    assert entry.case_id == family.case.id
    assert entry.actor_id == family.user.id
    assert set(entry.change_dict) == {"phone", "address"}
    notification = Notification.get(Notification.user == family.key_worker)
    assert notification.kind == "contact_details_changed"
    assert notification.link == f"/cases/{family.case.id}"
    assert notification.data == {"name": "Jana CarerA", "case": "Family A"}
    html = text(client.get("/my"))
    assert "Your contact details have been saved." in html


def test_contact_update_htmx_swaps_the_form(client, auth, family):
    """Does an htmx save answer with only the section: a success message and the details
    now stored, the form closed?"""
    auth.login(family.user)
    response = client.post("/my/contact", data=contact_data(family.caregiver, email="new@example.org"), headers=HX)
    assert response.status_code == 200
    html = text(response)
    assert "<html" not in html
    assert html.strip().startswith('<div id="contact-details">')
    assert "Your contact details have been saved." in html
    assert "<dd>new@example.org</dd>" in html and "<form" not in html
    assert 'hx-get="/my/contact"' in html
    # The family section is not part of the fragment.
    assert "Family A" not in html


def test_contact_update_invalid_email_422_beside_field(client, auth, family):
    """Is an invalid e-mail refused with 422 and the error beside the field?"""
    auth.login(family.user)
    for headers in ({}, HX):
        response = client.post("/my/contact", data=contact_data(family.caregiver, email="not-an-email"),
                               headers=headers)
        assert response.status_code == 422
        assert field_error(text(response), "email") == "Enter a valid e-mail address."
    assert Person.get_by_id(family.caregiver.id).email == family.caregiver.email
    assert Notification.select().count() == 0


def test_contact_update_unchanged_does_not_notify(client, auth, family):
    """Does saving the same values leave the record, the history and the key worker alone?"""
    auth.login(family.user)
    response = client.post("/my/contact", data=contact_data(family.caregiver), headers=HX)
    assert response.status_code == 200
    assert "unchanged" in text(response)
    assert Person.get_by_id(family.caregiver.id).version == family.caregiver.version
    assert Notification.select().count() == 0
    assert not AuditEntry.select().where(AuditEntry.table == "person").exists()


def test_two_concurrent_saves_second_is_refused(client, auth, family):
    """Lost update: two forms loaded at the same version; is the second save refused with
    409, the stored values shown, and the first save kept?"""
    auth.login(family.user)
    first = contact_data(family.caregiver, phone="111 111 111")
    second = contact_data(family.caregiver, phone="222 222 222")
    assert client.post("/my/contact", data=first).status_code == 303
    response = client.post("/my/contact", data=second, headers=HX)
    assert response.status_code == 409
    html = text(response)
    assert "Your changes were not saved" in html
    assert "111 111 111" in html  # the stored value is shown
    assert 'value="222 222 222"' in html  # the input is kept
    assert re.search(r'name="version" type="hidden" value="2"', html)
    assert Person.get_by_id(family.caregiver.id).phone == "111 111 111"
    assert Notification.select().count() == 1
    # Sent again, knowingly, on the current version: it is saved.
    again = dict(second, version="2")
    assert client.post("/my/contact", data=again).status_code == 303
    assert Person.get_by_id(family.caregiver.id).phone == "222 222 222"


def test_staff_edit_meanwhile_is_not_overwritten(client, auth, family):
    """Does a key worker's change to the record in between stop the caregiver's save?"""
    auth.login(family.user)
    form = contact_data(family.caregiver, phone="333")
    person = Person.get_by_id(family.caregiver.id)
    person.staff_notes = "changed by staff"
    assert person.save_if_version(person.version)
    response = client.post("/my/contact", data=form)
    assert response.status_code == 409
    stored = Person.get_by_id(family.caregiver.id)
    assert stored.phone == family.caregiver.phone
    assert stored.staff_notes == "changed by staff"


def test_contact_update_notifies_each_open_family(client, auth, family):
    """With two families, are both key workers told, each with a link to their case, and
    is the change in both case histories? A closed family's key worker is not told."""
    second_worker = make_user("staff")
    second = make_case(second_worker, name="Second family")
    make_member(second, family.caregiver, MemberRole.CAREGIVER)
    closed_worker = make_user("staff")
    closed = make_case(closed_worker, name="Closed family", status=CaseStatus.CLOSED)
    make_member(closed, family.caregiver, MemberRole.CAREGIVER)
    auth.login(family.user)
    assert client.post("/my/contact", data=contact_data(family.caregiver, phone="999")).status_code == 303
    links = {n.user_id: n.link for n in Notification.select()}
    assert links == {family.key_worker.id: f"/cases/{family.case.id}", second_worker.id: f"/cases/{second.id}"}
    cases = {e.case_id for e in AuditEntry.select().where(AuditEntry.table == "person")}
    assert cases == {family.case.id, second.id, closed.id}


def test_key_worker_in_czech_sees_the_notification(client, auth, family):
    """Is the notification there for a Czech-language key worker: page in Czech, badge
    count, the link to the case, and the names filled in?"""
    family.key_worker.language = "cs"
    family.key_worker.save()
    auth.login(family.user)
    client.post("/my/contact", data=contact_data(family.caregiver, phone="444"))
    auth.logout()
    auth.login(family.key_worker)
    html = text(client.get("/notifications/"))
    assert '<html lang="cs"' in html
    notification = Notification.get(Notification.user == family.key_worker)
    assert f'href="/notifications/{notification.id}/open"' in html
    assert '<span class="badge" aria-hidden="true">1</span>' in html
    assert "Jana CarerA" in html and "Family A" in html
    response = client.get(f"/notifications/{notification.id}/open")
    assert location_path(response) == f"/cases/{family.case.id}"
    assert client.get(location_path(response)).status_code == 200


def test_notification_params_are_stored_not_translated(client, auth, family):
    """Is the notification stored as kind and params (rendered per reader), not as text?"""
    auth.login(family.user)
    client.post("/my/contact", data=contact_data(family.caregiver, phone="555"))
    row = Notification.get()
    assert json.loads(row.params) == {"name": "Jana CarerA", "case": "Family A"}
