import pytest
from django.db import connection
from inbox.models import Team


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("i", [1, 2])
def test_probe(i):
    c = getattr(connection, "_test_serialized_contents", None)
    print("PROBE", i, c is not None, c and len(c), c and ('"inbox.team"' in c), Team.objects.count())
