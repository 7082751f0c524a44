"""Demo step: the organisation and the demo accounts."""
from models import Organisation, Role, User

from . import step

#: The demo accounts (the README lists them). Caregivers are linked to families by the
#: case-records step.
DEMO_ACCOUNTS = [
    ("admin@opora.example", "Alena Administrátorová", Role.ADMIN),
    ("jana.novakova@opora.example", "Jana Nováková", Role.STAFF),
    ("katarzyna.nowak@opora.example", "Katarzyna Nowak", Role.STAFF),
    ("petr.dvorak@opora.example", "Petr Dvořák", Role.CAREGIVER),
    ("anna.kowalska@opora.example", "Anna Kowalska", Role.CAREGIVER),
]


@step(10)
def organisation_and_accounts(ctx):
    """The organisation profile (Czech rules) and one account per demo role."""
    org = Organisation.current()
    org.name = "Opora – doprovázení pěstounských rodin"
    org.country = "cz"
    org.default_language = "cs"
    org.timezone = "Europe/Prague"
    org.save()
    users = {}
    for email, name, role in DEMO_ACCOUNTS:
        user = User(email=email, full_name=name, role=role)
        user.set_password(ctx.password)
        user.save()
        users[email] = user
    ctx.created["demo_users"] = users
