"""The dashboard page, its CSV downloads and the metrics API on the hand-made week: the chart, its
table, its CSV and the API give the same numbers, and a department sees only its own work."""

import csv
import io
import re

import pytest
import time_machine

from tests.reports.week import NOW

pytestmark = pytest.mark.django_db

PERIOD = "start=2025-12-22&end=2025-12-28"


@pytest.fixture(autouse=True)
def monday_noon():
    with time_machine.travel(NOW, tick=False):
        yield


def rows(response) -> list[dict]:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def drawn(page: str, chart: str) -> dict[tuple[str, str], str]:
    """(category, series) -> value, from the shapes of one chart's SVG."""
    svg = re.search(rf'<svg[^>]*data-chart="{chart}".*?</svg>', page, re.S)[0]
    shapes = re.findall(r'data-category="([^"]*)" data-series="([^"]*)" data-value="([^"]*)"', svg)
    return {(category, series): value for category, series, value in shapes}


def test_chart_table_csv_and_api_agree(client, lotte, week):
    client.force_login(lotte)
    api = client.get(f"/api/v1/metrics/?{PERIOD}").json()
    page = client.get(f"/reports/?{PERIOD}").content.decode()

    per_day = rows(client.get(f"/reports/volume-per-day.csv?{PERIOD}"))
    assert len(per_day) == 7 and per_day[0]["Dag"] == "2025-12-22"
    for label, channel in (
        ("WhatsApp", "whatsapp"),
        ("Facebook", "facebook"),
        ("X", "x"),
        ("Instagram", "instagram"),
    ):
        assert sum(int(row[label]) for row in per_day) == api["by_channel"][channel]["messages_in"]
    assert (
        sum(int(row[label]) for row in per_day for label in ("WhatsApp", "Facebook", "X", "Instagram")) == 8
    )
    shapes = drawn(page, "volume-per-day")
    assert all(shapes[(row["Dag"], label)] == row[label] for row in per_day for label in ("WhatsApp", "X"))

    answers = {row["Kanaal"]: row for row in rows(client.get(f"/reports/answers.csv?{PERIOD}"))}
    everything = answers["alle kanalen"]
    assert float(everything["Protocol"]) == api["protocol_share_pct"] == 25.0
    assert float(everything["Uitgezet bij vakafdeling"]) == api["escalation_share_pct"] == 50.0
    assert drawn(page, "answers")[("alle kanalen", "protocol")] == "25"

    first = {row["Kanaal"]: row for row in rows(client.get(f"/reports/first-response.csv?{PERIOD}"))}
    assert (
        float(first["WhatsApp"]["Mediaan"])
        == api["by_channel"]["whatsapp"]["first_response_p50_minutes"]
        == 30.0
    )
    assert drawn(page, "first-response")[("WhatsApp", "90e percentiel")] == "54"

    statuses = {
        row["Status"]: int(row["Ideeën"]) for row in rows(client.get(f"/reports/suggestions.csv?{PERIOD}"))
    }
    assert statuses["uitgevoerd"] == api["feedback_by_status"]["implemented"] == 1
    assert f'data-metric="messages_in">{api["messages_in"]}<' in page

    workload = {row["Medewerker"]: row for row in rows(client.get(f"/reports/workload.csv?{PERIOD}"))}
    assert (workload["Eva Pieters"]["Gesprekken"], workload["Bram Kok"]["Reacties"]) == ("1", "2")


def test_the_api_gives_every_figure_in_total_and_per_channel(client, lotte, week):
    client.force_login(lotte)
    body = client.get(f"/api/v1/metrics/?{PERIOD}&channel=whatsapp").json()

    assert (body["start"], body["end"], body["channel"], body["team"]) == (
        "2025-12-22",
        "2025-12-28",
        "whatsapp",
        None,
    )
    for field in (
        "messages_in", "conversations", "new_contacts", "returning_contacts", "foreign_contacts",
        "first_response_p50_minutes", "first_response_p90_minutes", "sla_met_pct", "protocol_share_pct",
        "escalation_share_pct", "escalations_overdue", "feedback_by_status", "closed_loop_pct",
    ):  # fmt: skip
        assert body[field] == body["by_channel"]["whatsapp"][field], field
    assert list(body["by_channel"]) == ["whatsapp"]
    assert (body["messages_in"], body["foreign_contacts"], body["sla_met_pct"]) == (4, 1, 66.7)

    webcare = client.get(f"/api/v1/metrics/?{PERIOD}&team=webcare").json()
    assert webcare["team"] == "webcare" and webcare["conversations"] == 3


@pytest.mark.parametrize(
    "query, field",
    [
        ("", "start"),
        ("start=2025-12-28&end=2025-12-22", "end"),
        ("start=2024-01-01&end=2025-12-28", "end"),
        ("start=22-12-2025&end=2025-12-28", "start"),
        (f"{PERIOD}&channel=fax", "channel"),
        (f"{PERIOD}&team=nobody", "team"),
    ],
)
def test_the_api_refuses_a_bad_query_with_the_reason(client, lotte, query, field):
    client.force_login(lotte)
    response = client.get(f"/api/v1/metrics/?{query}")
    assert response.status_code == 400
    assert field in response.json()


def test_a_department_sees_only_its_own_escalations_and_suggestions(client, dirk, week):
    client.force_login(dirk)
    page = client.get(f"/reports/?{PERIOD}").content.decode()

    assert 'data-chart="escalations"' in page and 'data-chart="volume-per-day"' not in page
    assert "Parkeren" not in page and 'data-metric="messages_in"' not in page
    escalations = rows(client.get(f"/reports/escalations.csv?{PERIOD}"))
    assert [row["Afdeling"] for row in escalations] == ["Afval"]
    turnaround = rows(client.get(f"/reports/turnaround.csv?{PERIOD}"))
    assert turnaround == [{"Afdeling": "Afval", "Mediaan": "12.2", "90e percentiel": "12.2"}]
    statuses = {
        row["Status"]: int(row["Ideeën"]) for row in rows(client.get(f"/reports/suggestions.csv?{PERIOD}"))
    }
    assert (
        statuses["uitgevoerd"] == 1 and statuses["doorgestuurd naar de afdeling"] == 0
    )  # parking's is not theirs

    assert client.get(f"/reports/volume-per-day.csv?{PERIOD}").status_code == 404  # no inbox figures
    assert client.get(f"/reports/?{PERIOD}&department=parking").status_code == 400  # not a choice for them
    assert client.get(f"/api/v1/metrics/?{PERIOD}").status_code == 403


def test_an_account_manager_sees_the_departments_they_manage(client, anna, week, parking_department):
    parking_department.account_manager = anna
    parking_department.save()
    client.force_login(anna)

    escalations = rows(client.get(f"/reports/escalations.csv?{PERIOD}"))
    assert escalations == [{"Afdeling": "Parkeren", "Gevraagd": "1", "Te laat": "0", "Nog open": "1"}]


def test_a_bad_period_on_the_page_says_what_is_wrong(client, lotte):
    client.force_login(lotte)
    response = client.get("/reports/?start=2025-12-28&end=2025-12-22")
    assert response.status_code == 400
    assert "De periode moet beginnen voordat ze eindigt." in response.content.decode()
    assert client.get("/reports/answers.csv?start=nonsense").status_code == 400


def test_without_filters_the_page_shows_the_last_30_days(client, lotte):
    client.force_login(lotte)
    page = client.get("/reports/").content.decode()
    assert 'value="2025-11-30"' in page and 'value="2025-12-29"' in page
