"""Indexes the query planner uses well at the size of a regional organisation (issue #7;
the scale-10 benchmark found them, after 0006).

* The status of contacts and of cases has a few values, most rows sharing one; without
  statistics SQLite took those indexes for selective and read most of the table (a
  caregiver's upcoming contacts, the week calendar, a caregiver's families). Dropped.
* A room's bookings are looked up by time (week calendar, the room check when
  scheduling): (room_id, span_start) replaces the index on room_id alone, its prefix.
"""


def up(migrator, db):
    migrator.migrate(
        migrator.drop_index("contact", "contact_status"),
        migrator.drop_index("family_case", "case_status"),
        migrator.drop_index("contact", "contact_room_id"),
        migrator.add_index("contact", ("room_id", "span_start"), False),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_index("contact", "contact_room_id_span_start"),
        migrator.add_index("contact", ("room_id",), False),
        migrator.add_index("family_case", ("status",), False),
        migrator.add_index("contact", ("status",), False),
    )
