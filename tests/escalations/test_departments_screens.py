"""Admins and leads manage the departments: details, topics, account manager and members."""

import pytest
from django.urls import reverse

from accounts.services import provision_user
from escalations import departments
from escalations.models import Department
from inbox.models import Topic

pytestmark = pytest.mark.django_db

LIST = reverse("departments:list")
NEW = reverse("departments:new")


def edit_url(department: Department) -> str:
    return reverse("departments:edit", args=[department.pk])


def topic_ids(*slugs: str) -> list[int]:
    return list(Topic.objects.filter(slug__in=slugs).values_list("pk", flat=True))


def form_data(**changes) -> dict:
    data = {
        "name": "Vergunningen",
        "slug": "permits",
        "service_level_days": "5",
        "account_manager": "",
        "topics": [],
        "members": [],
    }
    data.update(changes)
    return data


@pytest.fixture
def lisa(waste_department):
    """A second member of the waste department."""
    return provision_user(username="lisa", role="department", department_slug="waste", first_name="Lisa")


def test_a_lead_sees_every_department_with_its_details(client, lotte, dirk, anna, parking_department):
    waste = Department.objects.get(slug="waste")
    waste.account_manager = anna
    waste.service_level_days = 3
    waste.save()
    waste.topics.set(topic_ids("waste_collection", "litter"))
    client.force_login(lotte)
    response = client.get(LIST)
    assert response.status_code == 200
    rows = {department.slug: department for department in response.context["departments"]}
    assert set(rows) == {"waste", "parking"}
    assert rows["waste"].member_count == 1
    assert rows["parking"].member_count == 0
    html = response.content.decode()
    assert 'data-slug="waste"' in html
    assert edit_url(waste) in html
    assert anna.display_name in html
    assert "Zwerfafval en grofvuil" in html and "Afvalinzameling" in html


def test_a_lead_creates_a_department_with_topics_members_and_account_manager(client, lotte, anna):
    client.force_login(lotte)
    waste = Department.objects.create(slug="waste", name="Afval")
    member = provision_user(username="vera", role="department", department_slug="waste")
    response = client.post(
        NEW,
        form_data(account_manager=anna.pk, topics=topic_ids("permits"), members=[member.pk]),
    )
    assert response.status_code == 302
    assert response["Location"] == LIST
    permits = Department.objects.get(slug="permits")
    assert permits.name == "Vergunningen"
    assert permits.service_level_days == 5
    assert permits.account_manager == anna
    assert list(permits.topics.values_list("slug", flat=True)) == ["permits"]
    member.refresh_from_db()
    assert member.department == permits  # moved from waste
    assert not waste.members.exists()


def test_a_lead_edits_a_department_adding_and_removing_members(client, lotte, dirk, lisa, piet):
    waste = Department.objects.get(slug="waste")
    client.force_login(lotte)
    page = client.get(edit_url(waste))
    assert page.status_code == 200
    assert set(page.context["form"]["members"].initial) == {dirk.pk, lisa.pk}
    response = client.post(
        edit_url(waste),
        form_data(
            name="Afval en Grondstoffen",
            slug="waste",
            service_level_days="3",
            topics=topic_ids("litter", "waste_collection"),
            members=[lisa.pk, piet.pk],
        ),
    )
    assert response.status_code == 302
    waste.refresh_from_db()
    assert (waste.name, waste.service_level_days) == ("Afval en Grondstoffen", 3)
    assert set(waste.topics.values_list("slug", flat=True)) == {"litter", "waste_collection"}
    assert set(waste.members.values_list("username", flat=True)) == {"lisa", "piet"}
    dirk.refresh_from_db()
    assert dirk.department is None
    assert not Department.objects.get(slug="parking").members.exists()


def test_only_department_members_and_account_managers_can_be_chosen(client, lotte, eva, erik, dirk):
    waste = Department.objects.get(slug="waste")
    client.force_login(lotte)
    form = client.get(edit_url(waste)).context["form"]
    assert list(form.fields["members"].queryset) == [dirk]
    assert not form.fields["account_manager"].queryset.exists()
    response = client.post(
        edit_url(waste), form_data(slug="waste", members=[eva.pk], account_manager=erik.pk)
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"members", "account_manager"}
    eva.refresh_from_db()
    assert eva.department is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"slug": "Niet Goed"}, "slug"),
        ({"slug": "parking"}, "slug"),  # taken
        ({"name": ""}, "name"),
        ({"service_level_days": "0"}, "service_level_days"),
        ({"service_level_days": "365"}, "service_level_days"),
    ],
)
def test_invalid_input_is_refused(client, lotte, parking_department, changes, field):
    client.force_login(lotte)
    response = client.post(NEW, form_data(**changes))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Department.objects.filter(slug="permits").exists()


def test_an_admin_manages_departments_too(client, ada, waste_department):
    client.force_login(ada)
    assert client.get(LIST).status_code == 200
    assert client.get(edit_url(waste_department)).status_code == 200
    assert client.get(NEW).status_code == 200


@pytest.mark.parametrize("persona", ["eva", "dirk", "erik", "anna"], indirect=True)
def test_everyone_else_gets_a_403(client, persona, waste_department):
    client.force_login(persona)
    assert client.get(LIST).status_code == 403
    assert client.get(NEW).status_code == 403
    assert client.get(edit_url(waste_department)).status_code == 403
    assert client.post(edit_url(waste_department), form_data(slug="waste", name="Gekaapt")).status_code == 403
    waste_department.refresh_from_db()
    assert waste_department.name != "Gekaapt"


def test_anonymous_visitors_are_sent_to_log_in(client, waste_department):
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_unknown_department_is_a_404(client, lotte):
    client.force_login(lotte)
    assert client.get(reverse("departments:edit", args=[999])).status_code == 404


# --- The service ---------------------------------------------------------------------------------


def test_the_service_refuses_members_without_the_department_role(eva, waste_department):
    with pytest.raises(departments.DepartmentError):
        departments.save_department(
            department_id=waste_department.pk,
            slug="waste",
            name="Afval",
            service_level_days=5,
            account_manager_id=None,
            topic_ids=[],
            member_ids=[eva.pk],
        )
    eva.refresh_from_db()
    assert eva.department is None


def test_the_service_refuses_an_account_manager_without_that_role(eva, waste_department):
    with pytest.raises(departments.DepartmentError):
        departments.save_department(
            department_id=waste_department.pk,
            slug="waste",
            name="Afval",
            service_level_days=5,
            account_manager_id=eva.pk,
            topic_ids=[],
            member_ids=[],
        )


def test_saving_keeps_a_member_who_is_no_longer_active(client, lotte, dirk, lisa):
    lisa.is_active = False
    lisa.save()
    waste = Department.objects.get(slug="waste")
    client.force_login(lotte)
    form = client.get(edit_url(waste)).context["form"]
    assert set(form.fields["members"].queryset) == {dirk, lisa}
    client.post(edit_url(waste), form_data(slug="waste", name="Afval", members=[dirk.pk, lisa.pk]))
    assert set(waste.members.all()) == {dirk, lisa}
