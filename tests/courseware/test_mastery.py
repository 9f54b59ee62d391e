import pytest

from courseware.mastery import Level, locked, recommended, topic_mastery

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


def test_a_topic_without_exercises_is_never_started_and_locks_nothing():
    mastery = {"empty": topic_mastery([], {}), "next": topic_mastery(["n/a"], {})}
    assert mastery["empty"].level is Level.NOT_STARTED
    assert locked({"next": ["empty"], "empty": []}, mastery) == set()


def test_locks_and_recommendation():
    mastery = {
        "basics": topic_mastery(["b/1", "b/2"], {"b/1": [True]}),  # attempted, 1/2
        "middle": topic_mastery(["m/1"], {}),
        "other": topic_mastery(["o/1"], {}),
    }
    blocked = locked({"basics": [], "middle": ["basics"], "other": []}, mastery)
    assert blocked == {"middle"}
    assert recommended(["basics", "middle", "other"], mastery, blocked) == "basics"
    mastery["basics"] = topic_mastery(["b/1", "b/2"], {"b/1": [True], "b/2": [True]})
    assert locked({"middle": ["basics"]}, mastery) == set()
    assert recommended(["basics", "middle", "other"], mastery, set()) == "middle"
