"""Two staff members book the same room at the same moment: exactly one booking succeeds.

Each thread has its own SQLite connection (the pool gives one per thread). A hook between
the checks and the insert holds the first writer there for a while: without the write lock
taken before the checks, the second would pass its checks in that window and both would
be stored. With ``BEGIN IMMEDIATE`` the second waits, then sees the first booking.
"""
import threading
import time

from flask_babel import force_locale

from models import db
from models import contact_rules as rules
from models.contacts import Contact

from .contact_factories import local, make_room, next_weekday, proposal_for
from .factories import make_case, make_user


def test_concurrent_bookings_of_one_room_serialise(app):
    with app.app_context():
        room = make_room("Blue")
        cases = [make_case(name="First"), make_case(name="Second")]
        workers = [make_user("staff"), make_user("staff")]
    day = next_weekday(2)
    db.close()  # the test's own connection is not used by the threads
    start = threading.Barrier(2)
    results, errors = {}, []

    def book(i):
        try:
            with app.app_context(), force_locale("en"):
                db.connect(reuse_if_open=True)
                try:
                    contact = Contact(case=cases[i])
                    proposal = proposal_for(local(day, 10), local(day, 11), room=room)
                    start.wait(timeout=10)
                    try:
                        rules.save_booking([(contact, proposal, [])], workers[i],
                                           after_checks=lambda: time.sleep(0.3))
                        results[i] = "booked"
                    except rules.ContactRuleError as refused:
                        results[i] = [p.code for p in refused.problems]
                finally:
                    db.close()
        except Exception as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=book, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    assert sorted(map(str, results.values())) == sorted(["booked", str(["room_booked"])])
    db.connect(reuse_if_open=True)
    assert Contact.select().count() == 1


def test_without_the_lock_both_would_pass_the_checks(app):
    """The hook really opens a window: plain reads in two threads both see a free room."""
    with app.app_context():
        room = make_room("Green")
    day = next_weekday(2)
    db.close()
    barrier = threading.Barrier(2)
    seen = []

    def look():
        with app.app_context(), force_locale("en"):
            db.connect(reuse_if_open=True)
            try:
                barrier.wait(timeout=10)
                seen.append(rules.find_problems([proposal_for(local(day, 10), local(day, 11), room=room)])[0])
            finally:
                db.close()

    threads = [threading.Thread(target=look) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert seen == [[], []]
