"""The grading engine: pure Python (SymPy, numpy; JAX only lazily, for import-time checks).

No Django or Celery here: the web side and the workers call these functions.
"""

from .exercises import Exercise, Variant
from .grader import grade, grade_spec, normalize, normalize_answer, preview, preview_answer
from .spec import SpecError
from .verdict import GRADER_VERSION, Preview, Verdict

__all__ = [
    "GRADER_VERSION",
    "Exercise",
    "Preview",
    "SpecError",
    "Variant",
    "Verdict",
    "grade",
    "grade_spec",
    "normalize",
    "normalize_answer",
    "preview",
    "preview_answer",
]
