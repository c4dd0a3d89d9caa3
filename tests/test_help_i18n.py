"""Every ``--help`` screen and Click's own words in Chinese under ``--lang zh_CN`` (issue 13 §1).

Walks the whole command tree, renders each help screen in Chinese and fails on any Latin
word that is not a command or option name, an environment variable, a value the user types
(an office key, a profile name) or the name of a file format.
"""

import re
from collections.abc import Iterator

import pytest
import typer.core
import typer.main
from typer import _click
from typer.testing import CliRunner

from juwei.cli import app
from juwei.commands._help import help_texts, language_in_args, translate_error
from juwei.i18n import set_language

#: Latin words a Chinese help screen may hold: names of formats, standards and programs,
#: and the values an option takes (typed as shown; Chinese labels stand beside them).
ALLOWED = set(
    """
    juwei zh_CN en PDF CSV XLSX Excel WPS JSON Lines TOML UTF BOM GB18030 GB SHA SQLite PostgreSQL
    pg_dump TrueType URL sqlite juwei.db BRAVO Rivest OK u x F Ctrl C NAME.rejected.csv
    assembly representatives per_group
    self joint group direct household representative general by election comparison
    polling director deputy member sentence capacity death unfit other poll count.record
    Arlo Tab Enter status q y N
    """.split()
)


def command_paths() -> Iterator[list[str]]:
    root = typer.main.get_command(app)

    def walk(command: _click.Command, ctx: _click.Context, path: list[str]) -> Iterator[list[str]]:
        yield path
        if isinstance(command, typer.core.TyperGroup):
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                assert sub is not None
                yield from walk(sub, _click.Context(sub, info_name=name, parent=ctx), [*path, name])

    yield from walk(root, _click.Context(root, info_name="juwei"), [])


PATHS = list(command_paths())
COMMAND_WORDS = {part for path in PATHS for word in path for part in [word, *word.split("-")]}


def latin_words(screen: str) -> list[str]:
    """The Latin words of ``screen`` that are none of the allowed kinds."""
    text = re.sub(r"--[\w-]+|-[a-zA-Z]\b|JUWEI_\w+|sqlite:///\S+|\[[a-z]+\]|\w+:\w+", " ", screen)
    text = re.sub(r"\S+\.(csv|pdf|xlsx|toml|db)\b", " ", text)  # file names
    text = re.sub(r"[a-z][a-z.-]*（", "（", text)  # a value the user types, with its label
    words = re.findall(r"[A-Za-z][A-Za-z_.]*[A-Za-z]|[A-Za-z]", text)
    return [w for w in words if w not in ALLOWED | COMMAND_WORDS]


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "juwei")
def test_every_help_screen_is_chinese(path: list[str]) -> None:
    result = CliRunner().invoke(
        app, ["--lang", "zh_CN", *path, "--help"], env={"COLUMNS": "200"}, prog_name="juwei"
    )
    assert result.exit_code == 0, result.output
    screen = result.stdout
    assert "用法：" in screen and "选项" in screen
    assert latin_words(screen) == [], screen


def test_the_english_help_stays_english() -> None:
    result = CliRunner().invoke(app, ["--lang", "en", "roll", "print", "--help"], prog_name="juwei")
    assert result.exit_code == 0
    assert "Usage: juwei roll print [OPTIONS]" in result.stdout
    assert "The PDF to write." in result.stdout and "[required]" in result.stdout
    assert "用法" not in result.stdout


def test_chinese_from_the_environment_without_lang(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JUWEI_LANG", "zh_CN")
    set_language(None)
    result = CliRunner().invoke(app, ["roll", "--help"], prog_name="juwei")
    assert "用法：juwei roll [选项] 命令 [参数]..." in result.stdout
    assert "选民登记。" in result.stdout


@pytest.mark.parametrize(
    ("args", "expected", "code"),
    [
        (["roll", "list", "--bogus"], "没有这个选项：--bogus", 2),
        (["roll", "print"], "缺少选项 '--out'。", 2),
        (["demo", "--voters", "5"], "'--voters' 的值无效：值不得小于 300", 2),
        (["demo", "--voters", "many"], "'--voters' 的值无效：请输入整数。", 2),
        (["nosuch"], "没有 'nosuch' 这个命令。", 2),
        (["roll", "show"], "缺少参数 '公民身份号码'。", 2),
    ],
)
def test_usage_errors_in_chinese(args: list[str], expected: str, code: int) -> None:
    result = CliRunner().invoke(
        app, ["--lang", "zh_CN", *args], env={"COLUMNS": "200"}, prog_name="juwei"
    )
    assert result.exit_code == code
    assert expected in result.stderr, result.stderr
    assert "用法：juwei" in result.stderr and "查看帮助" in result.stderr


def test_unknown_error_shapes_pass_through_and_english_is_unchanged() -> None:
    set_language("en")
    assert translate_error("No such option: --x") == "No such option: --x"
    set_language("zh_CN")
    assert translate_error("Something new.") == "Something new."
    assert translate_error("Invalid value for '--n': Value 'a' is not a valid integer.") == (
        "'--n' 的值无效：'a' 不是有效的整数。"
    )


@pytest.mark.parametrize(
    ("args", "lang"),
    [
        (["--lang", "zh_CN", "roll"], "zh_CN"),
        (["--lang=en", "--help"], "en"),
        (["--db", "x.db", "--lang", "zh"], "zh"),
        (["--db", "--lang", "roll"], None),  # --lang here is --db's value
        (["roll", "--lang", "zh_CN"], None),  # after the sub-command: not the root option
    ],
)
def test_language_is_read_before_parsing(args: list[str], lang: str | None) -> None:
    assert language_in_args(args) == lang


def test_help_texts_cover_every_command() -> None:
    places = {where for where, _text in help_texts(typer.main.get_command(app))}
    assert places == {" ".join(["juwei", *path]) for path in PATHS}
