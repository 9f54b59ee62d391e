"""The admin's forms: topics and their graph, exercises as structured fields or YAML, trying an answer.

The forms only show and place what other modules decide: `exercise_fields` translates between
the fields and the spec, `exercise_check` and `authoring` say what is wrong.
"""

from django import forms
from django.core.exceptions import ValidationError

from courseware import authoring, exercise_fields
from courseware.documents import SLUG, title_problem
from courseware.exercise_check import check_exercise, check_groups
from courseware.graph import is_layer
from courseware.models import Exercise, Topic


class LinesField(forms.CharField):
    """A list of texts, one per line."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list | tuple) else value

    def to_python(self, value):
        if isinstance(value, list):
            return value
        return [line.strip() for line in (value or "").splitlines() if line.strip()]


class TopicForm(forms.ModelForm):
    references_canonical = LinesField(required=False, help_text="One reference per line.")
    references_current = LinesField(required=False, help_text="One reference per line.")

    class Meta:
        model = Topic
        fields = ["slug", "title", "layer", "summary", "last_reviewed", "references_canonical",
                  "references_current", "body"]  # fmt: skip
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 2}),
            "body": forms.Textarea(attrs={"rows": 24, "class": "lesson-body"}),
        }

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if not SLUG.match(slug):
            raise ValidationError("Lowercase letters, digits and single dashes, e.g. jacobian-matrix.")
        return slug

    def clean_layer(self):
        layer = self.cleaned_data["layer"].strip()
        if not is_layer(layer):
            raise ValidationError(f'"{layer}" is not a layer such as 0A, 0B, 1, 2.')
        return layer

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        if problem := title_problem(title):
            raise ValidationError(problem)
        return title

    def clean_summary(self):
        return " ".join(self.cleaned_data["summary"].split())

    def clean_body(self):
        body = self.cleaned_data["body"].replace("\r\n", "\n").strip() + "\n"
        if problems := authoring.body_problems(body):
            raise ValidationError(problems)
        return body


class LabelledRowsFormSet(forms.BaseInlineFormSet):
    """A table of inline rows labels its inputs by column header only: name each input for screen readers."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        row = "new row" if index is None else f"row {index + 1}"
        for field in form.fields.values():
            widget = getattr(field.widget, "widget", field.widget)  # the admin wraps selects for its + and ✎ links
            if not widget.is_hidden:
                widget.attrs = {**widget.attrs, "aria-label": f"{field.label} ({row})"}


class PrerequisiteFormSet(LabelledRowsFormSet):
    """Refuses a graph that import_content would refuse: cycles (named), layer inversions."""

    def clean(self):
        super().clean()
        if any(self.errors) or not self.instance.slug or not is_layer(self.instance.layer or ""):
            return
        chosen = [
            form.cleaned_data["prerequisite"]
            for form in self.forms
            if form.cleaned_data.get("prerequisite") and not form.cleaned_data.get("DELETE")
        ]
        if len({t.pk for t in chosen}) != len(chosen):
            raise ValidationError("A prerequisite is listed twice.")
        if problems := authoring.graph_problems(topic=self.instance, prerequisites=chosen):
            raise ValidationError(problems)


class NextTopicFormSet(LabelledRowsFormSet):
    def clean(self):
        super().clean()
        chosen = [
            form.cleaned_data["next_topic"]
            for form in self.forms
            if form.cleaned_data.get("next_topic") and not form.cleaned_data.get("DELETE")
        ]
        if self.instance.pk and any(t.pk == self.instance.pk for t in chosen):
            raise ValidationError("A topic cannot be its own next topic.")
        if len({t.pk for t in chosen}) != len(chosen):
            raise ValidationError("A next topic is listed twice.")


class ExerciseForm(forms.ModelForm):
    """The specification as fields (kind, reference, tolerances, parameters, wrong answers) or as YAML."""

    kind = forms.ChoiceField(choices=[("", "---------"), *Exercise.KINDS], required=False,
                             help_text="What the student types.")  # fmt: skip
    variables = forms.CharField(
        required=False, help_text="Names the answer may use, comma-separated, e.g. x, y (for a symbolic answer)."
    )
    reference_form = forms.ChoiceField(
        label="Reference", choices=[("", "---------"), *exercise_fields.REFERENCE_FORMS], required=False,
        help_text="A plain answer, or a derivative the engine computes (with SymPy and JAX) for every variant.",
    )  # fmt: skip
    expression = forms.CharField(
        required=False, label="Answer", help_text='For a plain answer: a number, an expression, "[a, b]" or '
        '"[[a, b], [c, d]]"; parameter names allowed.',
    )  # fmt: skip
    function = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2, "spellcheck": "false"}),
        help_text="The function to differentiate, e.g. a*x^2*y + y^3. For a Jacobian: one component per line.",
    )  # fmt: skip
    wrt = forms.CharField(required=False, label="With respect to", help_text="Comma-separated, e.g. x, y.")
    variable = forms.CharField(required=False, help_text="Partial derivative only: the variable, e.g. y.")
    at = forms.CharField(
        required=False, label="At the point", help_text='e.g. "x=1, y=2" (values may use parameters: y=a). '
        "Empty: a symbolic answer (list the variables above); the steepest rate and direction need a point.",
    )  # fmt: skip
    direction = forms.CharField(
        required=False, help_text='Directional derivative only: e.g. "3, 4" (normalised to unit length).'
    )
    shapes = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text='Matrix expression only: one symbol per line with its dimensions, "x: [n]" (a column vector), '
        '"W1: [h, n]", "c: []" (a scalar).',
    )  # fmt: skip
    functions = forms.CharField(
        required=False, help_text='Matrix expression only: elementwise functions, comma-separated: "sigma" (any '
        'smooth function) or "sigma: logistic" (also tanh, softplus, exp).',
    )  # fmt: skip
    layout = forms.ChoiceField(
        required=False, choices=[("", "default"), ("numerator", "numerator"), ("denominator", "denominator")],
        help_text="Matrix expression only: a Jacobian is numerator layout (m×n) and a gradient denominator layout "
        "(the shape of the variable) unless chosen here.",
    )  # fmt: skip
    closed_form = forms.CharField(
        required=False, label="Closed form", help_text="Matrix expression only: the derivative as a formula, e.g. "
        "W2 diag(sigma'(W1 x)) W1; checked against JAX and SymPy, and used for the feedback.",
    )  # fmt: skip
    rtol = forms.FloatField(required=False, label="Relative tolerance", help_text="Default 1e-6.")
    atol = forms.FloatField(required=False, label="Absolute tolerance", help_text="Default 1e-9.")
    partial_credit = forms.BooleanField(
        required=False, help_text="Vector or matrix: the score is the share of correct components."
    )
    attempts = forms.IntegerField(
        required=False, min_value=1, label="Attempts allowed", help_text="Empty: unlimited. Invalid input never counts."
    )
    parameters = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text='Random variants, one per line: "a: integers 2..5" (inclusive), "b: choice 0.5, 0.8" or '
        '"u: choice [3, 4] | [4, 3]" (vectors). The prompt shows a value as {{a}}. At most 1000 combinations.',
    )  # fmt: skip
    wrong_answers = forms.CharField(
        required=False, label="Common wrong answers",
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
        help_text='One per line: the answer, "=>", the feedback the student sees, e.g. '
        '"[2*a, a + 12] => The factor y stays." Each is checked to be really wrong in every variant.',
    )  # fmt: skip

    class Meta:
        model = Exercise
        fields = ["topic", "title", "slug", "position", "prompt", "solution", "retired", "spec_yaml"]
        widgets = {
            "prompt": forms.Textarea(attrs={"rows": 5}),
            "spec_yaml": forms.Textarea(attrs={"rows": 14, "class": "spec-yaml", "spellcheck": "false"}),
            "solution": forms.Textarea(attrs={"rows": 6}),
        }
        labels = {"spec_yaml": "Advanced: the specification as YAML", "solution": "Worked solution"}
        help_texts = {
            "slug": "Lowercase letters, digits and dashes; the lesson body marks the exercise's place "
            "with [[exercise:slug]].",
            "spec_yaml": (
                "The same specification as the fields above, as in the topic document (see the content format). "
                "Leave it as it is and the fields above are saved; edit it here and this text is saved instead, "
                "whatever the fields say. Saving checks every variant: the reference parses, SymPy and JAX "
                "agree, and each wrong answer is really wrong."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("slug", "spec_yaml"):  # absent from a view-only form
            if name in self.fields:
                self.fields[name].required = False  # the fields or the YAML give them
        for name, value in exercise_fields.fields_from_spec(self.instance.spec or {}).items():
            self.initial.setdefault(name, value)

    def yaml_edited(self) -> bool:
        """Whether the instructor changed the YAML itself rather than the fields."""

        def normal(text):
            return (text or "").replace("\r\n", "\n").strip()

        return normal(self.cleaned_data.get("spec_yaml")) != normal(self.initial.get("spec_yaml"))

    def clean(self):
        cleaned = super().clean()
        if "spec_yaml" not in cleaned:
            return cleaned
        if self.yaml_edited():
            source = "spec_yaml"
            spec, problems = authoring.read_spec(cleaned["spec_yaml"])
            if spec is None:
                self.add_error("spec_yaml", problems)
                return cleaned
            text = cleaned["spec_yaml"]
        else:
            source = None
            stored = authoring.read_spec(self.initial.get("spec_yaml") or "")[0] or {}
            spec = self._structured_spec(stored)
            if spec is None:
                return cleaned
            # An unchanged spec keeps its authored text, comments included.
            text = self.initial["spec_yaml"] if spec == stored else authoring.dump_spec(spec)
        self._check(spec, source)
        if not self.errors:
            cleaned["slug"], cleaned["spec_yaml"] = spec["slug"], text
            self.instance.spec, self.instance.kind = spec, spec["kind"]
        return cleaned

    def _check(self, spec: dict, source: str | None) -> None:
        """The import's checks, each problem on the field it is about (on the YAML when that was edited)."""
        topic, instance, slug = self.cleaned_data.get("topic"), self.instance, spec["slug"]
        if topic and Exercise.objects.filter(topic=topic, slug=slug).exclude(pk=instance.pk).exists():
            self.add_error(source or "slug", f'the topic already has an exercise with the slug "{slug}"')
        if instance.pk and slug != instance.slug and instance.submissions.exists():
            self.add_error(
                source or "slug",
                f'the slug cannot change from "{instance.slug}": students\' variants and answers depend on it',
            )
        for problem in check_exercise(spec):
            field = exercise_fields.field_of(problem)
            # On its own field the key goes without saying; on the YAML or the form as a whole it says where.
            own = source is None and field is not None and problem.variant is None
            self.add_error(source or field, problem.message if own else str(problem))
        if topic and spec.get("group"):
            siblings = Exercise.objects.filter(topic=topic, retired=False).exclude(pk=instance.pk).order_by("position")
            specs = [(e.slug, e.spec) for e in siblings if e.spec.get("group") == spec["group"]]
            for about, problem in check_groups([*specs, (slug, spec)]):
                if about == slug:
                    self.add_error(source or "parameters", problem)

    def _structured_spec(self, stored: dict) -> dict | None:
        """The spec the fields describe; None after adding the fields' errors."""
        spec, errors = exercise_fields.spec_from_fields(self.cleaned_data, stored, invalid=set(self.errors))
        for name, messages in errors.items():
            for message in messages:
                self.add_error(name, message)
        return None if self.errors else spec


class TryAnswerForm(forms.Form):
    answer = forms.CharField(required=False, max_length=2000, widget=forms.TextInput(attrs={"size": 60}))
    variant = forms.IntegerField(required=False, min_value=0, initial=0)
    student = forms.CharField(required=False, help_text="A username: their variant instead of the number above.")

    def __init__(self, *args, variant_count: int, students, **kwargs):
        super().__init__(*args, **kwargs)
        self.students = students  # the accounts this instructor may look up: their own cohorts'
        self.fields["variant"].max_value = variant_count - 1
        self.fields["variant"].widget.attrs["max"] = variant_count - 1
        self.fields["variant"].help_text = f"0 to {variant_count - 1}"

    def clean_variant(self):
        value = self.cleaned_data.get("variant")
        if value is not None and value > self.fields["variant"].max_value:
            raise ValidationError(f"There are {self.fields['variant'].max_value + 1} variants.")
        return value

    def clean_student(self):
        username = self.cleaned_data.get("student", "").strip()
        if not username:
            return None
        # The same answer for an unknown account and someone else's student: nothing to enumerate.
        student = self.students.filter(username=username).first()
        if student is None:
            raise ValidationError(f'No student "{username}" in the cohorts you teach.')
        return student
