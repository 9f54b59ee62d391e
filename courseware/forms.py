"""Forms of the student-facing pages."""

from django.contrib.auth.forms import UserCreationForm


class SignupForm(UserCreationForm):
    """A username and a password, checked by the configured password validators."""

    class Meta(UserCreationForm.Meta):
        fields = ("username",)
