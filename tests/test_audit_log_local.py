"""The audit log on a Chinese screen (issue 13 §1): event kinds by their Chinese names and
times in the committee's local time; ``--json`` keeps the keys and UTC."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from juwei.cli import app
from juwei.commands.audit import EVENT_LABELS
from tests.conftest import id_number, write_csv


def test_chinese_labels_local_time_and_json_keys(
    runner: CliRunner, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def run(*args: str) -> str:
        result = runner.invoke(app, ["--db", db_url, *args], env={"COLUMNS": "200"})
        assert result.exit_code == 0, result.stderr
        return result.stdout

    run("init", "钱牌社区", "--charter", "qianpai")
    run(
        "roll",
        "import",
        str(write_csv(tmp_path / "r.csv", [["张三", id_number("19800101"), "H1", "第1组"]])),
    )
    events = json.loads(run("audit", "log", "--json"))
    assert [e["kind"] for e in events] == ["community.init", "roll.import"]
    shown = run("--lang", "zh_CN", "audit", "log")
    assert "建立社区" in shown and "导入选民名单" in shown and "roll.import" not in shown
    assert "时间（北京时间）" in shown
    from datetime import datetime, timedelta

    utc = datetime.fromisoformat(events[0]["at"]).replace(tzinfo=None)
    assert (utc + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M") in shown
    monkeypatch.setenv("JUWEI_TZ", "UTC")
    assert utc.strftime("%Y-%m-%d %H:%M") in run("audit", "log")
    monkeypatch.setenv("JUWEI_TZ", "Mars/Base")
    result = runner.invoke(app, ["--db", db_url, "audit", "log"])
    assert result.exit_code == 3 and "Mars/Base" in result.stderr


def test_every_event_kind_written_has_a_chinese_name() -> None:
    import re

    root = Path(__file__).resolve().parent.parent / "juwei" / "elections"
    written = set()
    for path in root.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        for call in re.finditer(r"append_event\((.{0,200})", text, re.S):
            found = re.search(r"\"([a-z_]+(?:\.[a-z_]+)+)\"", call.group(1))
            if found:
                written.add(found.group(1))
    assert written and written <= set(EVENT_LABELS), written - set(EVENT_LABELS)
