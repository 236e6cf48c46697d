"""The README's set-up commands are the ones CI runs."""

import re
from pathlib import Path

import pytest

from skattchrome._cli import main
from skattchrome._cli._shared import INPUT_SCALE

ROOT = Path(__file__).resolve().parents[1]


def readme_commands():
    text = (ROOT / "README.rst").read_text()
    return re.findall(r"^    (pip install .*)$", text, flags=re.MULTILINE)


def test_readme_gives_two_setup_commands():
    commands = readme_commands()
    assert len(commands) == 2
    assert any("python -m pytest" in command for command in commands)


def test_ci_runs_the_readme_commands_verbatim():
    ci_lines = (ROOT / ".ci" / "run").read_text().splitlines()
    for command in readme_commands():
        assert command in ci_lines, f"{command!r} is not a line of .ci/run"


def test_ci_points_the_tests_at_the_shared_data():
    assert "SKATTCHROME_TEST_DATA" in (ROOT / ".ci" / "run").read_text()


def _words(text):
    return " ".join(text.split())


def test_the_input_scale_story_is_one_paragraph_everywhere(capsys):
    with pytest.raises(SystemExit):
        main(["benchmark", "--help"])
    places = {
        "README.rst": (ROOT / "README.rst").read_text(),
        "docs/getting_started.rst": (ROOT / "docs" / "getting_started.rst").read_text(),
        "skattchrome benchmark --help": capsys.readouterr().out,
    }
    for place, text in places.items():
        assert _words(INPUT_SCALE) in _words(text), place
