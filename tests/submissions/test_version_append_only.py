"""A submitted report version is append-only: the ORM and the database refuse to change it."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from audit.models import AppendOnlyError
from submissions.models import ReportVersion
from tests.factories import ReportVersionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def version():
    return ReportVersionFactory(filled_posts=40, started_posts=38)


def _refused(sql: str, params: list | None = None) -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            if sql.startswith("TRUNCATE"):
                # The test's own inserts leave deferred foreign-key checks, which PostgreSQL
                # reports before any trigger ("pending trigger events"); check them first.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(sql, params or [])
    except DatabaseError as exc:
        return "atgrant" in str(exc) and "submissions_reportversion" in str(exc)
    return False


def test_orm_refuses_to_change_or_delete_a_submitted_version(version):
    version.filled_posts = 99
    with pytest.raises(AppendOnlyError):
        version.save()
    with pytest.raises(AppendOnlyError):
        version.delete()
    with pytest.raises(AppendOnlyError):
        ReportVersion.objects.filter(pk=version.pk).update(filled_posts=99)
    with pytest.raises(AppendOnlyError):
        ReportVersion.objects.all().delete()
    version.refresh_from_db()
    assert version.filled_posts == 40


def test_a_new_version_is_still_written(version):
    ReportVersionFactory(report=version.report, number=version.number + 1)
    assert ReportVersion.objects.filter(report=version.report).count() == 2


def test_database_refuses_raw_update_and_delete_of_a_version(version):
    # Both PostgreSQL and SQLite have the triggers.
    assert _refused(
        "UPDATE submissions_reportversion SET filled_posts = 99 WHERE id = %s", [version.pk]
    )
    assert _refused("DELETE FROM submissions_reportversion WHERE id = %s", [version.pk])
    assert _refused("DELETE FROM submissions_reportversion")
    version.refresh_from_db()
    assert version.filled_posts == 40


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no TRUNCATE")
def test_database_refuses_truncate_of_versions(version):
    assert _refused("TRUNCATE submissions_reportversion CASCADE")
    assert ReportVersion.objects.filter(pk=version.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_still_ends_with_a_flush_of_versions():
    # The test runner's flush empties the table after this test despite the triggers
    # (conftest pauses them); without that the teardown fails with the triggers' error.
    ReportVersionFactory()
    assert ReportVersion.objects.count() == 1
