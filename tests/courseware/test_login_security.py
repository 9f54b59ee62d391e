"""Guessing passwords is locked out by account and by client; a changed password ends other sessions and tokens."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db
PASSWORD = "pw-student-1"


@pytest.fixture
def ada(django_user_model):
    return django_user_model.objects.create_user("ada", password=PASSWORD)


def log_in(client, username, password, path="/accounts/login/"):
    return client.post(path, {"username": username, "password": password})


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_twenty_wrong_passwords_then_the_right_one_is_locked_out(client, ada):
    for _ in range(20):
        log_in(client, "ada", "guess-" + "x")
    response = log_in(client, "ada", PASSWORD)
    assert response.status_code == 429 and not logged_in(client)
    page = response.content.decode()
    assert "Too many failed log-ins" in page and "ask your instructor" in page
    # The account is locked from anywhere, not just from the guessing client.
    elsewhere = Client(REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT="another browser")
    assert log_in(elsewhere, "ada", PASSWORD).status_code == 429 and not logged_in(elsewhere)


def test_the_admin_log_in_is_locked_out_too(client, django_user_model):
    django_user_model.objects.create_user("teach", password="pw-teacher-1", is_staff=True)
    for _ in range(10):
        log_in(client, "teach", "wrong", "/admin/login/")
    assert log_in(client, "teach", "pw-teacher-1", "/admin/login/").status_code == 429
    assert not logged_in(client)


def test_a_few_typos_do_not_lock_anyone_out(client, ada):
    for _ in range(3):
        assert log_in(client, "ada", "typo").status_code == 200
    assert log_in(client, "ada", PASSWORD).status_code == 302 and logged_in(client)


def test_one_client_guessing_many_accounts_is_locked_out(ada):
    guesser = Client(REMOTE_ADDR="198.51.100.7", HTTP_USER_AGENT="guesser")
    for n in range(10):
        log_in(guesser, f"someone-{n}", "password123")
    assert log_in(guesser, "ada", PASSWORD).status_code == 429 and not logged_in(guesser)
    # Another client (a classmate behind the same address, with another browser) still logs in.
    classmate = Client(REMOTE_ADDR="198.51.100.7", HTTP_USER_AGENT="a classmate's browser")
    assert log_in(classmate, "ada", PASSWORD).status_code == 302


def test_behind_a_trusted_proxy_the_forwarded_client_is_counted(settings, ada):
    settings.TRUSTED_PROXIES = 1
    for n in range(10):
        guesser = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7", HTTP_USER_AGENT="guesser")
        log_in(guesser, f"someone-{n}", "password123")
    other = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.44", HTTP_USER_AGENT="guesser")
    assert log_in(other, "ada", PASSWORD).status_code == 302  # the proxy's own address is not "the client"
    # A client cannot pick its address by writing the header itself: only the proxy's hop counts.
    spoofed = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7", HTTP_USER_AGENT="guesser")
    assert log_in(spoofed, "ada", PASSWORD).status_code == 429


def test_the_instructor_unlocks_their_student(client, ada, django_user_model):
    from instructors.accounts import ensure_instructors_group
    from instructors.models import Cohort

    teacher = django_user_model.objects.create_user("teacher", password="pw-teacher-1", is_staff=True)
    teacher.groups.add(ensure_instructors_group())
    cohort = Cohort.objects.create(name="Spring", slug="spring")
    cohort.instructors.add(teacher)
    cohort.students.add(ada)
    for _ in range(10):
        log_in(client, "ada", "wrong")
    assert log_in(client, "ada", PASSWORD).status_code == 429

    instructor = Client()
    instructor.force_login(teacher)
    page = instructor.get(f"/instructors/spring/students/{ada.pk}/").content.decode()
    assert "Unlock log-in" in page
    response = instructor.post(f"/instructors/spring/students/{ada.pk}/unlock/")
    assert response.status_code == 302
    assert log_in(client, "ada", PASSWORD).status_code == 302 and logged_in(client)


def test_an_instructor_cannot_unlock_someone_elses_student(ada, django_user_model):
    from instructors.accounts import ensure_instructors_group
    from instructors.models import Cohort

    teacher = django_user_model.objects.create_user("teacher", password="pw-teacher-1", is_staff=True)
    teacher.groups.add(ensure_instructors_group())
    Cohort.objects.create(name="Spring", slug="spring").instructors.add(teacher)
    instructor = Client()
    instructor.force_login(teacher)
    assert instructor.post(f"/instructors/spring/students/{ada.pk}/unlock/").status_code == 404


def test_sign_up_is_throttled_per_client(client, settings, db):
    settings.SIGNUP_RATE = "3/h"
    for n in range(3):
        form = {"username": f"new{n}", "password1": "a-long-passphrase-9", "password2": "a-long-passphrase-9"}
        assert client.post("/accounts/signup/", form).status_code == 302
        client.logout()
    form = {"username": "new9", "password1": "a-long-passphrase-9", "password2": "a-long-passphrase-9"}
    response = client.post("/accounts/signup/", form)
    assert response.status_code == 429 and "Too many new accounts" in response.content.decode()
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.filter(username="new9").exists()


def test_changing_the_password_ends_other_sessions_and_revokes_api_tokens(ada):
    from grading.models import ApiToken

    here, there = Client(), Client()
    assert log_in(here, "ada", PASSWORD).status_code == 302
    assert log_in(there, "ada", PASSWORD).status_code == 302
    _, secret = ApiToken.issue(ada)
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    assert Client().get("/api/exercises/1/submissions", **bearer).status_code == 404  # authenticated, no exercise

    new = "a-brand-new-passphrase-7"
    response = here.post(
        "/accounts/password_change/", {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    assert logged_in(here) and here.get("/dashboard/").status_code == 200  # the session that changed it stays
    assert there.get("/dashboard/").status_code == 302  # every other session is logged out
    assert Client().get("/api/exercises/1/submissions", **bearer).status_code == 401
    assert not ApiToken.objects.filter(user=ada).exists()


def test_logging_in_again_does_not_revoke_tokens(client, ada):
    from grading.models import ApiToken

    ApiToken.issue(ada)
    assert log_in(client, "ada", PASSWORD).status_code == 302
    assert ApiToken.objects.filter(user=ada).count() == 1


def test_a_forged_or_missing_address_is_never_stored_as_one(settings, ada):
    from axes.models import AccessAttempt

    settings.TRUSTED_PROXIES = 1
    forged = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="not-an-address", HTTP_USER_AGENT="guesser")
    assert log_in(forged, "ada", "wrong").status_code == 200
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["10.0.0.2"]
    assert log_in(forged, "ada", PASSWORD).status_code == 302
