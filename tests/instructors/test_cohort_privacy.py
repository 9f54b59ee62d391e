"""Instructors see exactly the students of the cohorts they teach; students join with a code. Written as attacks."""

import pytest
from django.contrib.auth.models import Permission

from tests.builders import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def rival(users, course):
    """Another instructor's cohort, with a student of its own who has answered."""
    from instructors.models import Cohort

    autumn = Cohort.objects.create(name="Autumn class", slug="autumn")
    autumn.instructors.add(users["other_instructor"])
    autumn.students.add(users["outsider"])
    secret = submit(users["outsider"], course["number"], "41")
    mine = submit(users["student"], course["number"], "4")
    return {"cohort": autumn, "submission": secret, "mine": mine}


def grant(user, *codenames):
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="instructors", codename__in=codenames))


def test_the_submissions_changelist_lists_only_my_students(instructor_client, cohort, rival):
    page = instructor_client.get("/admin/grading/submission/").content.decode()
    assert f"/admin/grading/submission/{rival['mine'].pk}/change/" in page
    assert f"/admin/grading/submission/{rival['submission'].pk}/change/" not in page
    assert "0 results" in instructor_client.get("/admin/grading/submission/", {"q": "eve"}).content.decode()


def test_another_cohorts_submission_cannot_be_opened_in_the_admin(instructor_client, cohort, rival):
    response = instructor_client.get(f"/admin/grading/submission/{rival['submission'].pk}/change/")
    assert response.status_code == 302 and "41" not in response.content.decode()  # "does not exist"
    assert instructor_client.get(f"/admin/grading/submission/{rival['mine'].pk}/change/").status_code == 200


def test_the_audit_trail_lists_only_my_students(instructor_client, cohort, rival, users):
    from grading.models import VerdictChange

    theirs = VerdictChange.objects.create(submission=rival["submission"], old={}, new={}, grader_version="t")
    mine = VerdictChange.objects.create(submission=rival["mine"], old={}, new={}, grader_version="t")
    page = instructor_client.get("/admin/grading/verdictchange/").content.decode()
    assert f"/admin/grading/verdictchange/{mine.pk}/change/" in page
    assert f"/admin/grading/verdictchange/{theirs.pk}/change/" not in page
    assert instructor_client.get(f"/admin/grading/verdictchange/{theirs.pk}/change/").status_code == 302


def test_another_cohorts_form_cannot_be_opened(instructor_client, cohort, rival):
    url = f"/admin/instructors/cohort/{rival['cohort'].pk}/change/"
    assert instructor_client.get(url).status_code == 302
    instructor_client.post(url, {"name": "Mine now", "slug": "autumn", "instructors": [], "students": []})
    rival["cohort"].refresh_from_db()
    assert rival["cohort"].name == "Autumn class" and rival["cohort"].students.count() == 1


def test_my_cohort_form_refuses_another_cohorts_student_and_staff(instructor_client, cohort, rival, users):
    url = f"/admin/instructors/cohort/{cohort.pk}/change/"
    form = instructor_client.get(url).content.decode()
    assert ">eve<" not in form and ">staffer<" not in form and ">root<" not in form
    keep = [users["student"].pk, users["classmate"].pk]
    for intruder in ("outsider", "staff", "superuser", "other_instructor"):
        response = instructor_client.post(
            url, {"name": cohort.name, "slug": cohort.slug, "join_open": "on",
                  "instructors": [users["instructor"].pk], "students": [*keep, users[intruder].pk]},
        )  # fmt: skip
        assert response.status_code == 200 and "Select a valid choice" in response.content.decode(), intruder
        assert set(cohort.students.values_list("pk", flat=True)) == set(keep)
    # Co-teachers are the superuser's to assign, not a way into this cohort.
    response = instructor_client.post(
        url, {"name": cohort.name, "slug": cohort.slug, "instructors": [users["instructor"].pk,
              users["other_instructor"].pk], "students": keep},
    )  # fmt: skip
    assert "Select a valid choice" in response.content.decode()
    assert list(cohort.instructors.all()) == [users["instructor"]]


def test_my_cohort_form_still_removes_a_student(instructor_client, cohort, users):
    response = instructor_client.post(
        f"/admin/instructors/cohort/{cohort.pk}/change/",
        {"name": cohort.name, "slug": cohort.slug, "join_open": "on",
         "instructors": [users["instructor"].pk], "students": [users["student"].pk]},
    )  # fmt: skip
    assert response.status_code == 302
    assert list(cohort.students.all()) == [users["student"]]


def test_creating_a_cohort_is_a_permission_not_a_default(instructor_client, users):
    assert instructor_client.get("/admin/instructors/cohort/add/").status_code == 403
    response = instructor_client.post("/admin/instructors/cohort/add/", {"name": "Mine", "slug": "mine"})
    assert response.status_code == 403
    grant(users["instructor"], "add_cohort")
    # Without `enrol_any_student` a new cohort starts empty: its students join with its code.
    response = instructor_client.post(
        "/admin/instructors/cohort/add/", {"name": "Mine", "slug": "mine", "students": [users["outsider"].pk]}
    )
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    response = instructor_client.post("/admin/instructors/cohort/add/", {"name": "Mine", "slug": "mine"})
    assert response.status_code == 302


def test_enrolling_any_student_is_a_permission_and_never_enrols_staff(instructor_client, cohort, users):
    grant(users["instructor"], "enrol_any_student")
    url = f"/admin/instructors/cohort/{cohort.pk}/change/"
    base = {"name": cohort.name, "slug": cohort.slug, "instructors": [users["instructor"].pk]}
    response = instructor_client.post(url, {**base, "students": [users["student"].pk, users["staff"].pk]})
    assert "Select a valid choice" in response.content.decode()
    response = instructor_client.post(url, {**base, "students": [users["student"].pk, users["outsider"].pk]})
    assert response.status_code == 302
    assert set(cohort.students.all()) == {users["student"], users["outsider"]}


def test_another_cohorts_dashboards_and_csv_are_refused(instructor_client, cohort, rival, users):
    autumn, eve = rival["cohort"].slug, users["outsider"].pk
    for path in [f"/instructors/{autumn}/", f"/instructors/{autumn}/table.csv", f"/instructors/{autumn}/topics.csv",
                 f"/instructors/{autumn}/exercises.csv", f"/instructors/{autumn}/students/{eve}/",
                 f"/instructors/{autumn}/students/{eve}/history.csv"]:  # fmt: skip
        assert instructor_client.get(path).status_code == 403, path
    # Nor through my own cohort's URLs.
    for path in [f"/instructors/spring/students/{eve}/", f"/instructors/spring/students/{eve}/history.csv"]:
        assert instructor_client.get(path).status_code == 404, path
    assert "eve" not in instructor_client.get("/instructors/spring/table.csv").content.decode()


def test_try_an_answer_refuses_another_cohorts_student(instructor_client, course, cohort, rival):
    url = f"/admin/courseware/exercise/{course['gradient'].pk}/try/"
    page = instructor_client.get(url, {"answer": "[1, 1]", "student": "eve"}).content.decode()
    assert "No student &quot;eve&quot; in the cohorts you teach" in page
    assert "No student" not in instructor_client.get(url, {"answer": "[1, 1]", "student": "ada"}).content.decode()


def test_a_regrade_report_shows_only_my_students(instructor_client, course, cohort, rival, users):
    from grading.models import RegradeRun, VerdictChange

    run = RegradeRun.objects.create(exercise=course["number"], grader_version="t", finished_at="2026-01-01T00:00Z")
    for submission in (rival["submission"], rival["mine"]):
        VerdictChange.objects.create(
            submission=submission, run=run, old={"verdict": "incorrect", "status": "graded"},
            new={"verdict": "correct", "status": "graded", "feedback": ""},
            old_score=0.0, new_score=1.0, grader_version="t",
        )  # fmt: skip
    page = instructor_client.get(f"/admin/courseware/exercise/{course['number'].pk}/regrade/{run.pk}/").content.decode()
    assert f"#{rival['mine'].pk}<" in page and f"#{rival['submission'].pk}<" not in page


def test_a_student_joins_with_the_link_and_their_instructor_sees_them(client, instructor_client, cohort, users):
    from django.test import Client

    newcomer = Client()
    link = cohort.get_join_url()
    assert newcomer.get(link).status_code == 302  # log in or sign up first, then back here
    from django.contrib.auth import get_user_model

    student = get_user_model().objects.create_user("newbie", password="pw-new-student-1")
    newcomer.force_login(student)
    assert "Join Spring class" in newcomer.get(link).content.decode()
    assert newcomer.post(link).status_code == 302
    assert cohort.students.filter(pk=student.pk).exists()
    assert "newbie" in instructor_client.get("/instructors/spring/table.csv").content.decode()
    # Typing the code (any case) works too, and joining twice changes nothing.
    assert newcomer.post("/join/", {"code": cohort.join_code.lower()}).status_code == 302
    assert cohort.students.filter(pk=student.pk).count() == 1


def test_a_rotated_or_closed_code_admits_no_one(instructor_client, cohort, users):
    from django.test import Client

    from instructors.models import Cohort

    old = cohort.join_code
    assert instructor_client.post("/instructors/spring/join-code/", {"action": "rotate"}).status_code == 302
    cohort.refresh_from_db()
    assert cohort.join_code != old
    student = Client()
    student.force_login(users["outsider"])
    assert student.post(f"/join/{old}/", {"code": old}).status_code == 400
    assert student.get(f"/join/{old}/").status_code == 404
    instructor_client.post("/instructors/spring/join-code/", {"action": "close"})
    response = student.post(f"/join/{cohort.join_code}/", {"code": cohort.join_code})
    assert response.status_code == 400 and "not taking new students" in response.content.decode()
    assert not Cohort.objects.filter(students=users["outsider"]).exists()
    instructor_client.post("/instructors/spring/join-code/", {"action": "open"})
    assert student.post(f"/join/{cohort.join_code}/", {"code": cohort.join_code}).status_code == 302


def test_only_the_cohorts_instructor_manages_its_code(client, cohort, rival, users):
    client.force_login(users["other_instructor"])
    assert client.post("/instructors/spring/join-code/", {"action": "close"}).status_code == 403
    client.force_login(users["student"])
    assert client.post("/instructors/spring/join-code/", {"action": "rotate"}).status_code == 403
    cohort.refresh_from_db()
    assert cohort.join_open


def test_staff_cannot_join_a_cohort_as_a_student(client, cohort, users):
    client.force_login(users["other_instructor"])
    response = client.post(cohort.get_join_url(), {"code": cohort.join_code})
    assert response.status_code == 400 and not cohort.students.filter(pk=users["other_instructor"].pk).exists()


def test_the_dashboard_shows_the_join_link(instructor_client, cohort):
    page = instructor_client.get("/instructors/spring/").content.decode()
    assert cohort.join_code in page and cohort.get_join_url() in page


def test_a_student_finds_where_to_type_a_join_code(client, users):
    client.force_login(users["student"])
    assert 'href="/join/"' in client.get("/dashboard/").content.decode()
    page = client.get("/join/").content.decode()
    assert 'name="code"' in page
    response = client.get("/join/NOSUCHCODE/")
    assert response.status_code == 404 and "No class is taking students" in response.content.decode()
