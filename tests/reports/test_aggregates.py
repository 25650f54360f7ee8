"""Percentile in the database (PostgreSQL's percentile_cont, or our SQLite aggregate) equals percentile()
in Python, which the hand-made week checks by hand."""

import pytest
from django.db.models import Q

from inbox.models import Conversation
from reports.aggregates import Percentile, percentile
from tests.factories import conversation

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "minutes",
    [[], [7.0], [4.0, 1.0, 3.0, 2.0], [0.0, 10.0], [5.0, 5.0, 5.0, 90.5], [None, 3.0, None, 1.0]],
)
@pytest.mark.parametrize("share", [0.5, 0.9])
def test_percentile_in_the_database_equals_percentile_in_python(minutes, share):
    for value in minutes:
        Conversation.objects.filter(pk=conversation("Hallo").pk).update(first_response_minutes=value)
    known = [value for value in minutes if value is not None]

    found = Conversation.objects.aggregate(p=Percentile("first_response_minutes", share))["p"]

    assert found == (None if not known else pytest.approx(percentile(known, share)))


def test_a_filtered_percentile_counts_only_the_rows_that_pass(eva):
    for value, channel in ((1.0, "whatsapp"), (2.0, "whatsapp"), (100.0, "x")):
        Conversation.objects.filter(pk=conversation("Hallo", channel=channel).pk).update(
            first_response_minutes=value
        )

    found = Conversation.objects.aggregate(
        p=Percentile("first_response_minutes", 0.5, filter=Q(channel="whatsapp"))
    )

    assert found["p"] == pytest.approx(1.5)


def test_percentile_in_python():
    assert percentile([], 0.5) is None
    assert percentile([7.0], 0.9) == 7.0
    assert percentile([4.0, 1.0, 3.0, 2.0], 0.5) == 2.5
    assert percentile([0.0, 10.0], 0.9) == 9.0
