"""In-app notifications: the list, marking read, opening, the header badge and access."""
import datetime
import re

import pytest

from models import Notification, utcnow
from views.notifications.messages import MESSAGES, render_message

from .conftest import HX
from .factories import make_user
from .families import count_queries
from .helpers import location_path, text


@pytest.fixture
def accept_language():
    """These tests read the English source texts."""
    return "en"


def notify(user, n=1, kind="contact_details_changed", link="/staff", read=False, **params):
    """``n`` notifications for ``user``, the last one newest."""
    params = params or {"name": "Jana Nováková", "case": "Family Novák"}
    rows = []
    start = utcnow() - datetime.timedelta(hours=n)
    for i in range(n):
        row = Notification.send(user, kind, link=link, **params)
        row.created_at = start + datetime.timedelta(minutes=i)
        row.read_at = utcnow() if read else None
        row.save()
        rows.append(row)
    return rows


def badge(html):
    """The unread number in the header badge, or 0 when there is none."""
    match = re.search(r'<span id="notification-badge"[^>]*>(.*?)</span>\s*</a>', html, re.S)
    assert match, "no badge in the header"
    number = re.search(r'<span class="badge" aria-hidden="true">(\d+)</span>', match.group(1))
    return int(number.group(1)) if number else 0


def row_ids(html):
    return [int(i) for i in re.findall(r'<li class="notification[^"]*" id="notification-(\d+)"', html)]


# --- The list ------------------------------------------------------------------------------


def test_list_newest_first_unread_highlighted(client, auth):
    """Are the user's notifications listed newest first, unread ones marked?"""
    user = auth.as_role("staff")
    old_read = notify(user, read=True)[0]
    new_unread = notify(user)[0]
    html = text(client.get("/notifications/"))
    assert row_ids(html) == [new_unread.id, old_read.id]
    assert f'class="notification notification--unread" id="notification-{new_unread.id}"' in html
    assert f'class="notification" id="notification-{old_read.id}"' in html
    assert "Jana Nováková (Family Novák) has changed their contact details." in html


def test_list_is_paginated(client, auth):
    """Are long lists split into pages, with an htmx fragment for the next page?"""
    user = auth.as_role("staff")
    rows = notify(user, n=30)
    first = text(client.get("/notifications/"))
    assert len(row_ids(first)) == 25
    assert row_ids(first)[0] == rows[-1].id
    assert "Page 1 of 2" in first
    second = client.get("/notifications/?page=2", headers=HX)
    html = text(second)
    assert "<html" not in html
    assert row_ids(html) == [r.id for r in reversed(rows[:5])]


def test_list_shows_only_own(client, auth):
    """Does the list never show another user's notifications?"""
    other = make_user("staff")
    theirs = notify(other, name="Someone Else", case="Other family")[0]
    auth.as_role("staff")
    html = text(client.get("/notifications/"))
    assert row_ids(html) == []
    assert "Someone Else" not in html
    assert "You have no notifications." in html
    assert theirs.read_at is None


def test_unknown_kind_and_missing_params_still_render(app):
    """Does a kind without a message, or a missing parameter, still give a text?"""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert render_message(Notification(kind="nothing-like-this")) == "You have a new notification."
        text_ = render_message(Notification(kind="contact_details_changed", params='{"name": "Eva"}'))
        assert text_.startswith("Eva (—)")


def test_every_message_names_only_string_params():
    """Is every message a lazy text with %(name)s placeholders (no positional ones)?"""
    for kind, message in MESSAGES.items():
        source = message._args[0] if hasattr(message, "_args") else str(message)
        assert "%s" not in source and "%d" not in source, kind


def test_message_is_rendered_in_the_readers_language(app):
    """Is the text rendered in the language of the request (the reader), not stored?"""
    row = Notification(kind="contact_details_changed", params='{"name": "Eva", "case": "F"}')
    with app.test_request_context(headers={"Accept-Language": "cs"}):
        from flask_babel import get_locale

        assert str(get_locale()) == "cs"
        czech = render_message(row)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        english = render_message(row)
    assert english == "Eva (F) has changed their contact details."
    assert "Eva" in czech and "F" in czech


def test_dates_in_params_are_shown_in_the_readers_format(app, monkeypatch):
    """Are ISO dates and local times of the params written the reader's way?"""
    monkeypatch.setitem(MESSAGES, "test_dates", "%(date)s, %(when)s, %(name)s")
    row = Notification(kind="test_dates",
                       params='{"date": "2026-12-08", "when": "2026-03-29 15:30", "name": "2026"}')
    rendered = {}
    for lang in ("cs", "pl", "en"):
        with app.test_request_context(headers={"Accept-Language": lang}):
            rendered[lang] = render_message(row)
    assert rendered["cs"].startswith("8. 12. 2026, ")
    assert rendered["pl"].startswith("8 gru 2026, 29.03.2026, 15:30")
    assert rendered["en"].startswith("Dec 8, 2026, 3/29/26")
    # The local time is not shifted by a zone conversion, and other text is left alone.
    assert "15:30" in rendered["cs"] and rendered["cs"].endswith(", 2026")


# --- Marking read --------------------------------------------------------------------------


def test_mark_one_read_htmx_swaps_row(client, auth):
    """Does marking one read answer with just its row and tell the badge to refresh?"""
    user = auth.as_role("staff")
    row, other = notify(user, n=2)
    response = client.post(f"/notifications/{row.id}/read", headers=HX)
    assert response.status_code == 200
    html = text(response)
    assert "<html" not in html
    assert html.strip().startswith(f'<li class="notification" id="notification-{row.id}"')
    assert "Mark as read" not in html
    assert "notificationsChanged" in response.headers["HX-Trigger"]
    assert Notification.get_by_id(row.id).read_at is not None
    assert Notification.get_by_id(other.id).read_at is None


def test_mark_one_read_plain_post_redirects(client, auth):
    """Does a plain form return to the list (303)?"""
    user = auth.as_role("caregiver")
    row = notify(user)[0]
    response = client.post(f"/notifications/{row.id}/read")
    assert response.status_code == 303
    assert location_path(response) == "/notifications/"
    assert Notification.get_by_id(row.id).read_at is not None


def test_mark_read_needs_post(client, auth):
    """Is GET refused for marking read?"""
    user = auth.as_role("staff")
    row = notify(user)[0]
    assert client.get(f"/notifications/{row.id}/read").status_code == 405
    assert Notification.get_by_id(row.id).read_at is None


def test_mark_all_read_only_own(client, auth):
    """Does "mark all read" mark the user's own notifications and nobody else's?"""
    other = make_user("staff")
    theirs = notify(other, n=2)
    user = auth.as_role("staff")
    notify(user, n=3)
    response = client.post("/notifications/read-all", headers=HX)
    assert response.status_code == 200
    assert "notificationsChanged" in response.headers["HX-Trigger"]
    html = text(response)
    assert "<html" not in html
    assert "notification--unread" not in html
    assert "Mark all as read" not in html
    assert Notification.select().where((Notification.user == user) & Notification.read_at.is_null()).count() == 0
    assert all(Notification.get_by_id(r.id).read_at is None for r in theirs)
    plain = client.post("/notifications/read-all")
    assert plain.status_code == 303 and location_path(plain) == "/notifications/"


def test_someone_elses_notification_is_404(client, auth):
    """Is another user's notification unreachable: marking read or opening it is 404?"""
    other = make_user("staff")
    theirs = notify(other)[0]
    auth.as_role("staff")
    assert client.post(f"/notifications/{theirs.id}/read").status_code == 404
    assert client.post(f"/notifications/{theirs.id}/read", headers=HX).status_code == 404
    assert client.get(f"/notifications/{theirs.id}/open").status_code == 404
    assert Notification.get_by_id(theirs.id).read_at is None


def test_caregiver_cannot_touch_staff_notifications(client, auth):
    """Can a caregiver not mark a key worker's notification read?"""
    worker = make_user("staff")
    theirs = notify(worker)[0]
    auth.as_role("caregiver")
    assert client.post(f"/notifications/{theirs.id}/read").status_code == 404
    assert Notification.get_by_id(theirs.id).read_at is None


def test_open_marks_read_and_follows_link(client, auth):
    """Does opening a notification mark it read and go to its link?"""
    user = auth.as_role("staff")
    row = notify(user, link="/staff?x=1")[0]
    response = client.get(f"/notifications/{row.id}/open")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/staff?x=1")
    assert Notification.get_by_id(row.id).read_at is not None


@pytest.mark.parametrize("link", ["https://evil.example/", "//evil.example/x", "", "javascript:alert(1)"])
def test_open_never_leaves_the_site(client, auth, link):
    """Is a link that is not a path on this site replaced by the list?"""
    user = auth.as_role("staff")
    row = notify(user, link=link)[0]
    response = client.get(f"/notifications/{row.id}/open")
    assert location_path(response) == "/notifications/"
    assert "evil" not in response.headers["Location"]


def test_anonymous_is_sent_to_sign_in(client):
    """Are the notification pages closed to visitors?"""
    for url in ("/notifications/", "/notifications/count"):
        response = client.get(url)
        assert response.status_code in (302, 303)
        assert location_path(response) == "/auth/login"
    assert client.post("/notifications/read-all").status_code in (302, 303)


# --- The header badge ----------------------------------------------------------------------


@pytest.mark.parametrize(("role", "home"), [("staff", "/staff"), ("admin", "/staff"), ("caregiver", "/my")])
def test_badge_on_every_page(client, auth, role, home):
    """Is the unread count beside the Notifications link on the user's pages, with a text
    for screen readers?"""
    user = auth.as_role(role)
    notify(user, n=3)
    notify(user, read=True)
    for url in (home, "/account/password", "/notifications/"):
        html = text(client.get(url))
        assert badge(html) == 3, url
        assert '<span class="visually-hidden">3 unread</span>' in html
        assert 'href="/notifications/"' in html
        assert 'hx-trigger="notificationsChanged from:body"' in html


def test_no_badge_number_without_unread(client, auth):
    """Is the badge empty when everything is read?"""
    user = auth.as_role("staff")
    notify(user, read=True)
    html = text(client.get("/staff"))
    assert badge(html) == 0
    assert "unread" not in html


def test_no_badge_for_visitors(client):
    """Is there no badge (and no count query) on the sign-in page?"""
    html = text(client.get("/auth/login"))
    assert "notification-badge" not in html


def test_count_fragment(client, auth):
    """Does /notifications/count return only the badge, updated after marking read?"""
    user = auth.as_role("staff")
    row, _other = notify(user, n=2)
    response = client.get("/notifications/count", headers=HX)
    assert response.status_code == 200
    html = text(response).strip()
    assert html.startswith('<span id="notification-badge"') and html.endswith("</span>")
    assert "<html" not in html and "<a " not in html
    assert ">2</span>" in html
    client.post(f"/notifications/{row.id}/read", headers=HX)
    assert ">1</span>" in text(client.get("/notifications/count", headers=HX))


def test_badge_is_one_query_per_page(client, auth, monkeypatch):
    """Is the unread count a single query per page, even on the list that shows it twice?"""
    user = auth.as_role("staff")
    notify(user, n=2)
    for url in ("/staff", "/notifications/"):
        with count_queries(monkeypatch) as statements:
            assert client.get(url).status_code == 200
        counts = [s for s in statements if "COUNT" in s and '"notification"' in s and '"read_at" IS NULL' in s]
        assert len(counts) == 1, (url, counts)


def test_count_ignores_other_users(client, auth):
    """Does the badge count only the user's own unread notifications?"""
    notify(make_user("staff"), n=4)
    user = auth.as_role("staff")
    notify(user)
    assert badge(text(client.get("/staff"))) == 1
