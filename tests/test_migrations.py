"""The migrations build exactly the schema the models describe."""
import pytest
from peewee import CharField
from playhouse.schema_diff import diff_models

from cli.database import upgrade
from models import ALL_MODELS, Organisation, db


@pytest.fixture
def fresh_db(tmp_path):
    """The shared database handle pointed at a new, empty file."""
    db.init(str(tmp_path / "fresh.sqlite3"))
    yield db
    if not db.is_closed():
        db.close()


def test_upgrade_fresh_database_matches_models(fresh_db):
    """Does upgrading an empty database give exactly the models' schema?"""
    applied = upgrade()
    assert applied and applied[0] == "0001_initial"
    with fresh_db.connection_context():
        assert not diff_models(fresh_db, ALL_MODELS)
        tables = set(fresh_db.get_tables())
    assert {model._meta.table_name for model in ALL_MODELS} <= tables


def test_upgrade_twice_applies_nothing(fresh_db):
    """Is a second upgrade a no-op?"""
    first = upgrade()
    assert first
    assert upgrade() == []
    with fresh_db.connection_context():
        assert not diff_models(fresh_db, ALL_MODELS)


def test_schema_comparison_detects_missing_column(fresh_db):
    """Would the comparison notice a model field that no migration created?"""
    upgrade()

    class ChangedOrganisation(Organisation):
        motto = CharField(max_length=100, default="")

        class Meta:
            table_name = "organisation"

    with fresh_db.connection_context():
        assert diff_models(fresh_db, [ChangedOrganisation])
