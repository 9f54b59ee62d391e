"""`python -m grading batch` (a pipe: one flushed line out per line in, in order) and `check`."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def request(reference, answer, kind="expression", variables=("x", "y"), **extra):
    return json.dumps({"kind": kind, "reference": reference, "answer": answer, "variables": list(variables), **extra})


def test_batch_answers_every_line_in_order_including_malformed_ones():
    lines = [
        request("2xy", "2*x*y"),
        "this is not json",
        "",
        request("[1, 2]", "[1, 3]", kind="vector", variables=()),
        json.dumps({"kind": "expression", "answer": "x"}),
        json.dumps({"kind": "matrix", "reference": "[[1]]", "answer": 5}),
        json.dumps(["a list"]),
        request("x", "x +"),
        request("2xy", "2 y x"),
        request("1/3", "0.333", kind="numeric", variables=(), rtol=1e-2),
    ]
    done = subprocess.run(
        [sys.executable, "-m", "grading", "batch"],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert [o["status"] for o in out] == [
        "correct",
        "invalid",
        "invalid",
        "incorrect",
        "invalid",
        "invalid",
        "invalid",
        "invalid",
        "correct",
        "correct",
    ]
    assert all(set(o) == {"status", "score", "feedback", "latex"} for o in out)
    assert "not JSON" in out[1]["feedback"] and "empty" in out[2]["feedback"]
    assert "reference" in out[4]["feedback"] and "answer" in out[5]["feedback"]
    assert out[3]["feedback"] == "Component 2 is wrong." and out[0]["latex"] == "2 x y"


def test_batch_flushes_each_line_before_reading_the_next():
    process = subprocess.Popen(
        [sys.executable, "-m", "grading", "batch"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        for reference, answer, status in [("x^2", "x x", "correct"), ("x^2", "2x", "incorrect"), ("x", "(", "invalid")]:
            process.stdin.write(request(reference, answer) + "\n")
            process.stdin.flush()
            assert json.loads(process.stdout.readline())["status"] == status
        process.stdin.close()
        assert process.wait(30) == 0
    finally:
        process.kill()


@pytest.mark.parametrize(
    ("answer", "code", "first_line"),
    [("2xy", 0, "correct (score 1)"), ("2x", 1, "incorrect (score 0)"), ("2x +", 2, "invalid (score 0)")],
)
def test_check_exit_codes(answer, code, first_line):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "grading",
            "check",
            "--kind",
            "expression",
            "--reference",
            "2*x*y",
            "--answer",
            answer,
            "--variables",
            "x,y",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == code, done.stderr
    assert done.stdout.splitlines()[0] == first_line


def test_check_with_a_bad_reference_is_invalid():
    done = subprocess.run(
        [sys.executable, "-m", "grading", "check", "--kind", "numeric", "--reference", "x", "--answer", "1"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 2 and "reference" in done.stderr


def test_check_tolerances():
    args = [sys.executable, "-m", "grading", "check", "--kind", "numeric", "--reference", "pi", "--answer", "3.14"]
    assert subprocess.run(args, capture_output=True, cwd=ROOT, timeout=120).returncode == 1
    assert subprocess.run([*args, "--rtol", "1e-3"], capture_output=True, cwd=ROOT, timeout=120).returncode == 0
