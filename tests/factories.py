"""Plain factory functions with defaults: ``make_user(role="staff")`` and friends."""
import itertools

from models import Organisation, User

PASSWORD = "correct horse battery"
_seq = itertools.count(1)


def make_user(role="staff", email=None, password=PASSWORD, **fields):
    """An active account with a known password."""
    n = next(_seq)
    user = User(
        email=email or f"{role}{n}@example.org",
        full_name=fields.pop("full_name", f"{role.title()} {n}"),
        role=role,
        **fields,
    )
    user.set_password(password)
    user.save()
    return user


def make_organisation(**fields):
    """The organisation row with the given fields."""
    org = Organisation.current()
    for key, value in fields.items():
        setattr(org, key, value)
    org.save()
    return org
