"""The public count board (issue 14 §3): the same totals and threshold as the count, served
read-only, and shown live in a real headless Chromium as ballots are saved."""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from juwei.elections.board import board_state, change_mark
from juwei.elections.count import count_election, record_ballots, result_sheet
from juwei.elections.db import Database
from juwei.elections.readmodels import BallotPaper
from tests.audit_setup import ballot, polling_election

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def paper(db: Database, tmp_path: Path) -> BallotPaper:
    """60 ballots printed and issued (100 voters); nothing entered yet."""
    return polling_election(db, tmp_path)


def test_board_shows_the_counts_tallies_and_threshold(db: Database, paper: BallotPaper) -> None:
    record_ballots(db, [ballot(paper, n, 1 + n % 2) for n in range(1, 41)], operator="t")
    before = board_state(db)
    assert (before.counted, before.expected, before.expected_label) == (40, 60, "开箱选票")
    director = before.offices[0]
    assert [(line.number, line.votes) for line in director.lines] == [(1, 20), (2, 20)]
    # 过半数 of the 60 ballots the count will reach (P5, S4 art 15): 31, exact integers
    assert director.threshold_votes == 31
    assert director.threshold_words == "当选须得参加投票选民的过半数：至少 31 票"
    assert before.decision is None and all(line.elected is None for line in director.lines)
    record_ballots(db, [ballot(paper, n, 1) for n in range(41, 61)], operator="t")
    count_election(db, operator="t")  # seats left: a supplementary round is created
    after = board_state(db, election_id=before.election_id)
    sheet = result_sheet(db, election_id=before.election_id)
    for office, printed in zip(after.offices, sheet.offices, strict=True):
        shown = {line.name: line.votes for line in office.lines}
        assert shown == {r.name: r.votes for r in printed.results}
        assert {line.name for line in office.lines if line.elected} == {
            r.name for r in printed.results if r.elected
        }
        assert office.decision
    assert after.offices[0].threshold_votes == 31 and after.valid is True
    assert after.mark > before.mark


def test_board_state_carries_no_personal_data(db: Database, paper: BallotPaper) -> None:
    record_ballots(db, [ballot(paper, n, 1) for n in range(1, 6)], operator="t")
    text = board_state(db).to_json()
    assert not re.search(r"\d{6}", text)  # no ID number, no serial
    assert "中心会场" not in text  # no box
    fields = "community election_id election counted expected expected_label invalid_ballots"
    assert set(json.loads(text)) == {*fields.split(), "blank_ballots", "offices", "decision"} | {
        "valid",
        "mark",
    }


# ----------------------------------------------------------------------------- the server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(db_url: str, db: Database, paper: BallotPaper, tmp_path: Path) -> Iterator[str]:
    """``juwei board`` running in its own process on a free local port; its base URL."""
    port = _free_port()
    env = dict(os.environ, JUWEI_DB=db_url, PYTHONPATH=str(Path(__file__).parents[1]))
    log = tmp_path / "board.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "juwei", "board", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(base + "/state", timeout=2) as response:
                    response.read()
                break
            except (urllib.error.URLError, ConnectionError):
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"juwei board did not start: {log.read_text('utf-8')}")
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    assert "Traceback" not in log.read_text("utf-8")


def _status(url: str, method: str = "GET") -> tuple[int, str]:
    request = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def test_board_writes_nothing_and_refuses_bad_requests(served: str, db: Database) -> None:
    mark = change_mark(db)
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        for path in ("/", "/state", "/events", "/static/board.js"):
            code, body = _status(served + path, method)
            assert code == 405, (method, path, code)
            assert "Traceback" not in body
    for path in ("/nope", "/static/../../pyproject.toml", "/static/%2e%2e/board.py", "/state/1"):
        code, body = _status(served + path)
        assert 400 <= code < 500, (path, code)
        assert "Traceback" not in body
    code, body = _status(served + "/")
    assert code == 200 and "计票公示" in body
    assert "http" not in body.replace("http-equiv", "")  # nothing loaded from elsewhere
    for asset in ("/static/board.js", "/static/board.css", "/font/board.ttf"):
        assert _status(served + asset)[0] == 200
    assert change_mark(db) == mark  # no endpoint wrote anything


def test_the_board_is_bound_to_this_computer_by_default(served: str) -> None:
    port = int(served.rsplit(":", 1)[1])
    addresses = {
        info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
    } - {"127.0.0.1", "127.0.1.1"}
    for address in addresses:
        with socket.socket() as s, pytest.raises(OSError):
            s.settimeout(2)
            s.connect((address, port))


def test_board_in_a_real_browser_follows_the_count(
    served: str, db: Database, paper: BallotPaper, tmp_path: Path
) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="python playwright missing")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (.ci/run installs Debian's chromium)")
    with sync_api.sync_playwright() as play:
        browser = play.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 900})
            page.goto(served + "/")
            page.wait_for_selector("#live.ok")
            assert page.inner_text("#counted") == "0"
            # two tables save ballots through the engine while the page is open
            record_ballots(db, [ballot(paper, n, 2, 2) for n in range(1, 8)], operator="t1")
            record_ballots(db, [ballot(paper, n, 1) for n in range(8, 11)], operator="t2")
            sync_api.expect(page.locator("#counted")).to_have_text("10", timeout=10_000)
            director = page.locator("section[data-office='主任']")
            votes = {
                row.get_attribute("data-name"): row.locator(".votes").inner_text()
                for row in director.locator(".row").all()
            }
            names = [c.name for c in paper.offices[0].candidates]
            assert votes == {names[0]: "3", names[1]: "7"}
            assert director.locator(f".row[data-name='{names[1]}'] .zheng").inner_text() == "正丅"
            assert "至少 31 票" in director.locator(".threshold").inner_text()
            # the packaged font is the one drawn (evaluated outside the page's CSP)
            fonts = page.evaluate("() => [...document.fonts].map(f => f.family + ':' + f.status)")
            assert '"JuweiBoard":loaded' in fonts or "JuweiBoard:loaded" in fonts, fonts
            shot = tmp_path / "board.png"
            page.screenshot(path=str(shot), full_page=True)
            print(f"board screenshot: {shot}")
            assert shot.stat().st_size > 10_000
        finally:
            browser.close()
