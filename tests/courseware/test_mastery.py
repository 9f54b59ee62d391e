import pytest

from courseware.mastery import Level, recommended, review_first, topic_mastery

KEYS = ["t/a", "t/b", "t/c", "t/d", "t/e"]


@pytest.mark.parametrize(
    ("verdicts", "level"),
    [
        ({}, Level.NOT_STARTED),
        ({"t/a": [False]}, Level.ATTEMPTED),
        ({"t/a": [True], "t/b": [True], "t/c": [False, True]}, Level.ATTEMPTED),  # 3/5 < 70 %
        ({k: [True] for k in KEYS[:4]}, Level.FAMILIAR),  # 4/5
        ({**{k: [False, True] for k in KEYS[:2]}, **{k: [True] for k in KEYS[2:]}}, Level.PROFICIENT),  # 3/5 first try
        ({**{"t/a": [False, True]}, **{k: [True] for k in KEYS[1:]}}, Level.MASTERED),  # 4/5 first try
        ({"other/x": [True]}, Level.NOT_STARTED),
    ],
)
def test_levels_follow_the_documented_thresholds(verdicts, level):
    assert topic_mastery(KEYS, verdicts).level is level


def test_a_topic_without_exercises_is_never_started_and_is_never_a_prerequisite_to_review():
    mastery = {"empty": topic_mastery([], {}), "next": topic_mastery(["n/a"], {})}
    assert mastery["empty"].level is Level.NOT_STARTED
    assert review_first({"next": ["empty"], "empty": []}, mastery) == {}


def test_prerequisites_below_familiar_are_recommended_first_and_named():
    mastery = {
        "basics": topic_mastery(["b/1", "b/2"], {"b/1": [True]}),  # attempted, 1/2
        "logic": topic_mastery(["l/1"], {"l/1": [True]}),  # proficient
        "middle": topic_mastery(["m/1"], {}),
        "other": topic_mastery(["o/1"], {}),
    }
    needs = {"basics": [], "logic": [], "middle": ["basics", "logic"], "other": []}
    waiting = review_first(needs, mastery)
    assert waiting == {"middle": ("basics",)}  # only the one still below familiar
    assert recommended(["basics", "logic", "middle", "other"], mastery, waiting) == "basics"
    mastery["basics"] = topic_mastery(["b/1", "b/2"], {"b/1": [True], "b/2": [True]})
    assert review_first(needs, mastery) == {}
    assert recommended(["basics", "logic", "middle", "other"], mastery, {}) == "middle"


def test_solving_an_exercise_of_the_topic_itself_is_the_quick_check_that_makes_it_ready():
    """A student who solves 10 of 11 exercises is familiar with the topic, never also told it is not open."""
    mastery = {
        "basics": topic_mastery(["b/1"], {}),
        "middle": topic_mastery([f"m/{i}" for i in range(11)], {f"m/{i}": [True] for i in range(10)}),
        "top": topic_mastery(["t/1"], {"t/1": [False]}),  # tried but not solved: still not ready
    }
    waiting = review_first({"basics": [], "middle": ["basics"], "top": ["basics"]}, mastery)
    assert mastery["middle"].level is Level.FAMILIAR and "middle" not in waiting
    assert waiting == {"top": ("basics",)}
