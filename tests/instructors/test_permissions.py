"""Who reaches the dashboards and the admin: instructors of the cohort and superusers, nobody else."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from instructors.accounts import INSTRUCTORS, ensure_demo_accounts, ensure_instructors_group
from tests.builders import submit

pytestmark = pytest.mark.django_db


def dashboard_urls(cohort, course, users):
    ex, student = course["derivative"].pk, users["student"].pk
    return [
        reverse("instructors:cohort", args=[cohort.slug]),
        reverse("instructors:cohort-topics-csv", args=[cohort.slug]),
        reverse("instructors:cohort-table", args=[cohort.slug]),
        reverse("instructors:cohort-table-csv", args=[cohort.slug]),
        reverse("instructors:exercises", args=[cohort.slug]),
        reverse("instructors:exercises-csv", args=[cohort.slug]),
        reverse("instructors:exercise", args=[cohort.slug, ex]),
        reverse("instructors:exercise-csv", args=[cohort.slug, ex]),
        reverse("instructors:student", args=[cohort.slug, student]),
        reverse("instructors:student-csv", args=[cohort.slug, student]),
    ]


def test_anonymous_visitors_are_sent_to_log_in(client, cohort, course, users):
    for url in [reverse("instructors:cohorts"), *dashboard_urls(cohort, course, users)]:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url


@pytest.mark.parametrize("role", ["student", "staff", "other_instructor", "outsider"])
def test_everyone_but_the_cohorts_instructors_is_refused(client, cohort, course, users, role):
    client.force_login(users[role])
    for url in dashboard_urls(cohort, course, users):
        assert client.get(url).status_code == 403, url


@pytest.mark.parametrize("role", ["student", "staff"])
def test_non_instructors_cannot_list_cohorts(client, users, role):
    client.force_login(users[role])
    assert client.get(reverse("instructors:cohorts")).status_code == 403


@pytest.mark.parametrize("role", ["instructor", "superuser"])
def test_the_cohorts_instructors_and_superusers_see_every_dashboard(client, cohort, course, users, role):
    submit(users["student"], course["derivative"], "2x")
    client.force_login(users[role])
    for url in dashboard_urls(cohort, course, users):
        assert client.get(url).status_code == 200, url


def test_an_instructor_loses_access_when_removed_from_the_group(client, cohort, course, users):
    users["instructor"].groups.clear()
    client.force_login(users["instructor"])
    assert client.get(reverse("instructors:cohort", args=[cohort.slug])).status_code == 403


def test_a_student_outside_the_cohort_has_no_page(instructor_client, cohort, users):
    url = reverse("instructors:student", args=[cohort.slug, users["outsider"].pk])
    assert instructor_client.get(url).status_code == 404


def test_instructors_list_only_their_cohorts(client, cohort, users):
    from instructors.models import Cohort

    Cohort.objects.create(name="Someone else's", slug="other").instructors.add(users["other_instructor"])
    client.force_login(users["instructor"])
    page = client.get(reverse("instructors:cohorts")).content.decode()
    assert "Spring class" in page and "Someone else" not in page


def test_students_never_reach_the_admin(client, users):
    client.force_login(users["student"])
    for url in ["/admin/", "/admin/courseware/topic/", "/admin/courseware/topic/add/", "/admin/grading/submission/"]:
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response.url, url


def test_the_instructors_group_has_exactly_the_permissions_it_needs(db):
    group = ensure_instructors_group()
    codenames = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
    courseware = {
        f"courseware.{action}_{model}"
        for model in ("topic", "topicprerequisite", "nexttopic", "exercise")
        for action in ("add", "change", "delete", "view")
    }
    assert codenames == courseware | {
        "instructors.change_cohort", "instructors.view_cohort",
        "grading.view_submission", "grading.view_regraderun", "grading.view_verdictchange",
    }  # fmt: skip
    assert (
        Permission.objects.filter(group__name=INSTRUCTORS, codename__in=["view_apitoken", "change_user"]).count() == 0
    )


def test_instructors_reach_authoring_but_not_accounts_or_tokens(instructor_client, course):
    assert instructor_client.get("/admin/courseware/topic/").status_code == 200
    assert instructor_client.get(f"/admin/courseware/topic/{course['basics'].pk}/change/").status_code == 200
    assert instructor_client.get("/admin/courseware/exercise/add/").status_code == 200
    assert instructor_client.get("/admin/grading/submission/").status_code == 200
    assert instructor_client.get("/admin/instructors/cohort/").status_code == 200
    assert instructor_client.get("/admin/auth/user/").status_code == 403
    assert instructor_client.get("/admin/grading/apitoken/").status_code == 403
    # Submissions are read-only for everyone.
    assert instructor_client.get("/admin/grading/submission/add/").status_code == 403


def test_staff_without_the_group_has_no_authoring(client, users):
    client.force_login(users["staff"])
    assert client.get("/admin/courseware/topic/").status_code == 403


def test_instructors_see_only_their_cohorts_in_the_admin(instructor_client, cohort, users):
    from instructors.models import Cohort

    other = Cohort.objects.create(name="Other", slug="other")
    assert instructor_client.get(f"/admin/instructors/cohort/{cohort.pk}/change/").status_code == 200
    assert instructor_client.get(f"/admin/instructors/cohort/{other.pk}/change/").status_code == 302  # "not found"


def test_whoever_creates_a_cohort_teaches_it(instructor_client, users):
    from django.contrib.auth.models import Permission

    from instructors.models import Cohort

    # Creating cohorts and enrolling any student are granted, not given to every instructor.
    granted = Permission.objects.filter(codename__in=["add_cohort", "enrol_any_student"])
    users["instructor"].user_permissions.add(*granted)
    response = instructor_client.post(
        "/admin/instructors/cohort/add/", {"name": "Autumn", "slug": "autumn", "students": [users["student"].pk]}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    autumn = Cohort.objects.get(slug="autumn")
    assert list(autumn.instructors.all()) == [users["instructor"]]
    assert list(autumn.students.all()) == [users["student"]]


def test_demo_accounts_share_a_demo_cohort(db):
    from instructors.models import Cohort

    ensure_demo_accounts()
    cohort = Cohort.objects.get(slug="demo-class")
    assert [u.username for u in cohort.instructors.all()] == ["instructor"]
    assert [u.username for u in cohort.students.all()] == ["student"]
