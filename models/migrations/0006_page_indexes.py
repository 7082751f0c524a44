"""Indexes for what the busiest pages sort and filter on (issue #7).

* A family's history (case page, history page) is read newest first: one index on
  (case_id, at, id) serves the filter and the order, so SQLite no longer sorts every entry
  of an often-opened case (each opening is itself an entry). It replaces the index on
  case_id alone, which is its prefix.
* Registrations are looked up by person; the index on status alone (three values, nearly
  every row "registered") led SQLite's planner to scan most of the table instead of using
  the person's index. Queries by event and status keep (event_id, status).
* Members likewise: the index on role alone (a handful of values) was chosen over the
  person's index for "the cases where these people are caregivers". The unique index
  (case_id, person_id, role) stays.
"""


def up(migrator, db):
    migrator.migrate(
        migrator.drop_index("audit_entry", "audit_entry_case_id"),
        migrator.add_index("audit_entry", ("case_id", "at", "id"), False),
        migrator.drop_index("registration", "registration_status"),
        migrator.drop_index("member", "member_role"),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.add_index("member", ("role",), False),
        migrator.add_index("registration", ("status",), False),
        migrator.drop_index("audit_entry", "audit_entry_case_id_at_id"),
        migrator.add_index("audit_entry", ("case_id",), False),
    )
