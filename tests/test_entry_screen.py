"""The count room's entry screen (issue 14 §1), driven by Textual's pilot: keystrokes per
ballot, the count's own judgement while typing, duplicates refused at once, running totals
equal to the engine's tally."""

import asyncio
from collections import Counter
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from juwei.elections.count import entry_tally, record_ballots
from juwei.elections.db import Database
from juwei.elections.entry import EntryForm, load_form
from juwei.elections.models import BallotRecord
from juwei.elections.readmodels import BallotPaper
from juwei.elections.synthetic import synthetic_ballots
from juwei.tui.entry import EntryApp, keys_for
from tests.audit_setup import ballot, polling_election, serial


@pytest.fixture
def paper(db: Database, tmp_path: Path) -> BallotPaper:
    """60 ballots printed and issued; 主任 2 candidates, 副主任 2, 委员 6 for 5 seats."""
    return polling_election(db, tmp_path)


def drive(
    db: Database, script: Callable[[Any, EntryApp], Coroutine[Any, Any, None]], **options: Any
) -> EntryApp:
    """Run the screen headless under Textual's pilot and play ``script`` on it."""
    app = EntryApp(db, load_form(db), operator="clerk", table="一", **options)

    async def main() -> None:
        async with app.run_test(size=(160, 40)) as pilot:
            await script(pilot, app)

    asyncio.run(main())
    return app


def text(app: EntryApp, widget: str) -> str:
    return str(app.query_one(widget).render())


def marks_of(db: Database, identity: str) -> int:
    with db.read() as session:
        return len(session.exec(select(BallotRecord).where(BallotRecord.ballot == identity)).all())


def test_a_typical_ballot_takes_ten_keystrokes(db: Database, paper: BallotPaper) -> None:
    typical = ["1", "tab", "1", "tab", "1", "2", "3", "4", "5", "enter"]

    async def script(pilot: Any, app: EntryApp) -> None:
        assert app.ballot.identity == serial(1)  # proposed: no keys for the identity
        await pilot.press(*typical)
        await pilot.pause()
        assert app.saved.identities == [serial(1)]
        assert app.ballot.identity == serial(2)  # the form is clear for the next one
        assert not any(m.for_ for m in app.ballot.marks.values())
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Entered 1: 1 valid" in text(app, "#totals")

    drive(db, script)
    assert len(typical) == 10 <= 12
    tally = entry_tally(db)
    names = {o.title: [c.name for c in o.candidates] for o in paper.offices}
    assert dict(tally.offices[0].votes) == {names["主任"][0]: 1}
    assert dict(tally.offices[2].votes) == dict.fromkeys(names["委员"][:5], 1)


def test_overvote_shows_invalid_at_once_and_saves_as_the_count_judges(
    db: Database, paper: BallotPaper, tmp_path: Path
) -> None:
    async def script(pilot: Any, app: EntryApp) -> None:
        await pilot.press("tab", "tab", "1", "2", "3", "4", "5")
        assert "invalid" not in text(app, "#office-2")
        await pilot.press("6")
        await pilot.pause()
        assert "invalid" in text(app, "#office-2")  # six names for five seats
        await pilot.press("backspace")
        assert "invalid" not in text(app, "#office-2")
        await pilot.press("6")
        await pilot.pause()
        shot = app.save_screenshot(path=str(tmp_path), filename="entry-screen.svg")
        print(f"entry screen: {shot}")
        await pilot.press("enter")
        await pilot.pause()

    drive(db, script)
    tally = entry_tally(db)
    assert tally.recorded == 1
    assert tally.offices[2].invalid_sections == 1 and tally.offices[2].votes == ()


def test_against_illegible_and_a_write_in(db: Database, paper: BallotPaper) -> None:
    with db.read() as session:
        from juwei.elections.models import Voter

        roll_name = session.exec(select(Voter.name).offset(50)).first()
    assert roll_name is not None

    async def script(pilot: Any, app: EntryApp) -> None:
        await pilot.press("minus", "1", "2", "tab", "asterisk", "tab", "slash")
        await pilot.press(*roll_name, "enter")
        await pilot.press("slash", *"不在名册", "enter")
        await pilot.pause()
        assert "不在名册 (written in, counts for nobody)" in text(app, "#office-2")
        await pilot.press("enter")
        await pilot.pause()
        assert app.saved.identities == [serial(1)]

    drive(db, script)
    tally = entry_tally(db)
    names = [c.name for c in paper.offices[0].candidates]
    assert dict(tally.offices[0].votes) == {names[1]: 1}  # 1 不同意, 2 同意
    assert tally.offices[1].invalid_sections == 1  # illegible
    assert roll_name in dict(tally.offices[2].votes)
    assert "不在名册" not in dict(tally.offices[2].votes)  # a void mark: counts for nobody


def test_an_identity_entered_elsewhere_is_refused_at_once(db: Database, paper: BallotPaper) -> None:
    record_ballots(db, [ballot(paper, 1, 1)], operator="other table")

    async def script(pilot: Any, app: EntryApp) -> None:
        assert app.ballot.identity == serial(2)  # the first one not entered
        await pilot.press("f2", *serial(1), "enter")
        await pilot.pause()
        assert app.duplicate and "already entered" in text(app, "#message")
        await pilot.press("1", "enter")  # refused: nothing saved
        await pilot.pause()
        assert app.saved.identities == []
        # another terminal saves the proposed next ballot: the screen notices by itself
        await pilot.press("f2", *serial(3), "enter")
        record_ballots(db, [ballot(paper, 3, 2)], operator="other table")
        for _ in range(100):  # the screen polls about once a second; a loaded machine is slower
            await pilot.pause(0.2)
            if app.duplicate:
                break
        assert app.duplicate

    drive(db, script)
    assert marks_of(db, serial(1)) == 1


def test_screen_totals_equal_the_count_for_demo_like_ballots(
    db: Database, paper: BallotPaper
) -> None:
    """Demo-like ballots (the demo's support, 1% blank, overvotes, against marks) keyed in
    through the screen: keystrokes per ballot reported; the entered ballots count exactly
    as the same ballots imported would."""
    form: EntryForm = load_form(db)
    support = {
        "主任": [0.72, 0.24],
        "副主任": [0.30, 0.66],
        "委员": [0.78, 0.74, 0.71, 0.69, 0.44, 0.42],
    }
    records = synthetic_ballots(paper, 20, seed=7, support=support, bundle_size=25)
    plans = [keys_for(form, r) for r in records]

    async def script(pilot: Any, app: EntryApp) -> None:
        for keys in plans:
            await pilot.press(*keys)
        await pilot.pause()

    app = drive(db, script)
    assert app.saved.identities == [serial(n) for n in range(1, 21)]
    per_ballot = [len(k) for k in plans]
    mean = sum(per_ballot) / len(per_ballot)
    print(f"keystrokes per ballot: mean {mean:.1f}, max {max(per_ballot)}")
    assert mean <= 12
    # an independent recount of the same records: an overvoted or illegible section counts
    # nothing; 同意 marks count one vote each
    numbers = {o.title: {str(c.number): c.name for c in o.candidates} for o in paper.offices}
    recount: dict[str, Counter[str]] = {o.title: Counter() for o in paper.offices}
    for record in records:
        sections: dict[str, Any] = record["sections"]  # type: ignore[assignment]
        for office in paper.offices:
            marks = sections.get(office.title)
            if not marks or office.title in (record.get("illegible") or ()):
                continue
            if len(marks["for"]) + len(marks["write_in"]) <= office.seats:
                recount[office.title].update(numbers[office.title][n] for n in marks["for"])
    tally = entry_tally(db)
    assert tally.recorded == 20
    for office in tally.offices:
        assert dict(office.votes) == {k: v for k, v in recount[office.title].items() if v}


def test_keys_typed_ahead_are_taken_in_order(db: Database, paper: BallotPaper) -> None:
    """A fast clerk types the next ballot before the screen has drawn the last one: every key
    is taken in the order typed (a Tab is never overtaken by the number after it)."""
    from textual import events

    plan = ["2", "tab", "2", "tab", "1", "2", "3", "4", "6", "enter"] * 3

    async def script(pilot: Any, app: EntryApp) -> None:
        for key in plan:  # all at once, as a keyboard buffer delivers them
            app.post_message(events.Key(key, None if len(key) > 1 else key))
        while len(app.saved.identities) < 3:
            await pilot.pause(0.05)

    drive(db, script)
    tally = entry_tally(db)
    names = {o.title: [c.name for c in o.candidates] for o in paper.offices}
    assert dict(tally.offices[0].votes) == {names["主任"][1]: 3}
    assert dict(tally.offices[1].votes) == {names["副主任"][1]: 3}
    members = names["委员"]
    assert dict(tally.offices[2].votes) == dict.fromkeys([*members[:4], members[5]], 3)


def test_a_ballot_is_called_back_and_corrected_with_its_reason(
    db: Database, paper: BallotPaper
) -> None:
    """F3 calls an entered ballot back as stored; its marks are changed, Enter asks for the
    reason, and the correction is recorded in the log (count.correct) with both readings; the
    running totals follow at once and equal the engine's tally."""
    from juwei.elections.models import Event

    names = {o.title: [c.name for c in o.candidates] for o in paper.offices}

    async def script(pilot: Any, app: EntryApp) -> None:
        await pilot.press("1", "tab", "1", "tab", "1", "2", "3", "4", "5", "enter")
        await pilot.press("2", "tab", "2", "tab", "1", "enter")
        await pilot.pause()
        assert app.saved.identities == [serial(1), serial(2)]
        await pilot.press("f3", *"9-9", "enter")  # never entered: refused, named
        await pilot.pause()
        assert "no ballot 9-9 has been entered" in text(app, "#message")
        assert not app.correcting
        await pilot.press("2")  # ballot 3 is being typed when ballot 1 is called back
        await pilot.press("f3", *serial(1), "enter")
        await pilot.pause()
        assert app.correcting == serial(1)
        assert app.ballot.marks["member"].for_ == {1, 2, 3, 4, 5}  # as entered
        assert "○ 同意" in text(app, "#office-0")
        # the paper shows 主任 2, not 1, and 委员 6 instead of 5
        await pilot.press("1", "2", "tab", "tab", "5", "6", "enter")
        await pilot.pause()
        assert app.query_one("#reason").has_focus
        await pilot.press("enter")  # no reason: refused, nothing changed
        await pilot.pause()
        assert "needs its reason" in text(app, "#message")
        assert dict(entry_tally(db).offices[0].votes) == {names["主任"][0]: 1, names["主任"][1]: 1}
        await pilot.press(*"唱票时看错", "enter")
        await pilot.pause()
        assert "corrected (valid)" in text(app, "#message")
        assert not app.correcting and app.ballot.identity == serial(3)  # back where it was
        assert app.ballot.marks["director"].for_ == {2}  # with the marks typed before
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.totals is not None and app.totals.tally() == entry_tally(db)
        assert "Entered 2: 2 valid" in text(app, "#totals")
        # Esc while correcting leaves the ballot as it was
        await pilot.press("f3", *serial(2), "enter", "3", "escape")
        await pilot.pause()
        assert not app.correcting and "cancelled" in text(app, "#message")

    drive(db, script)
    tally = entry_tally(db)
    assert dict(tally.offices[0].votes) == {names["主任"][1]: 2}
    members = names["委员"]
    assert dict(tally.offices[2].votes) == {
        **dict.fromkeys([*members[:4], members[5]], 1),
        members[0]: 2,
    }
    with db.read() as session:
        events = session.exec(select(Event).where(Event.kind == "count.correct")).all()
    assert len(events) == 1
    import json

    payload = json.loads(events[0].payload)
    assert payload["ballot"] == serial(1) and payload["reason"] == "唱票时看错"
    assert payload["old"]["sections"]["member"]["for"] == [1, 2, 3, 4, 5]
    assert payload["new"]["sections"]["member"]["for"] == [1, 2, 3, 4, 6]
    assert events[0].operator == "clerk"


def test_running_totals_equal_the_engine_after_every_save(db: Database, paper: BallotPaper) -> None:
    """The screen keeps its totals by adding each ballot it saves; after every save, and
    after another terminal's save, they equal ``entry_tally`` exactly."""
    form: EntryForm = load_form(db)
    support = {"主任": [0.6, 0.5], "副主任": [0.4, 0.7], "委员": [0.8, 0.7, 0.7, 0.6, 0.5, 0.5]}
    records = synthetic_ballots(paper, 12, seed=11, support=support, bundle_size=25)
    plans = [keys_for(form, r) for r in records]

    async def script(pilot: Any, app: EntryApp) -> None:
        for done, keys in enumerate(plans, start=1):
            await pilot.press(*keys)
            await pilot.pause()
            if done == 6:  # another table saves a ballot of another bundle
                record_ballots(db, [ballot(paper, 26, 1)], operator="other table")
                for _ in range(100):
                    await pilot.pause(0.2)
                    await app.workers.wait_for_complete()
                    if app.totals is not None and app.totals.recorded == 7:
                        break
            await app.workers.wait_for_complete()
            assert app.totals is not None
            assert app.totals.tally() == entry_tally(db), f"after ballot {done}"

    drive(db, script)


def test_counting_tables_and_their_counters_are_on_the_result_sheet(
    db: Database, paper: BallotPaper, tmp_path: Path
) -> None:
    """``count screen --table --counters`` records the table (count.table, once); the result
    sheet lists the tables with their counters, in Chinese on paper."""
    import subprocess

    from pypdf import PdfReader

    from juwei.ballots.fonts import resolve_font
    from juwei.ballots.results import render_result_sheet
    from juwei.elections.count import count_election, result_sheet
    from juwei.elections.entry import register_table
    from juwei.errors import InputError
    from juwei.i18n import set_language

    assert register_table(db, table="第一组", counters=("张三", "李四"), operator="c")
    assert not register_table(db, table="第一组", counters=("张三", "李四"), operator="c")
    assert register_table(db, table="第二组", counters=("王五",), operator="c")
    with pytest.raises(InputError, match="--counters"):
        register_table(db, table="第三组", counters=(" ",), operator="c")
    record_ballots(db, [ballot(paper, n, 1) for n in range(1, 61)], operator="c")
    count_election(db, operator="c")
    sheet = result_sheet(db)
    assert sheet.counting == (
        "Ballots entered one by one. Counting tables: table 第一组, counted by 张三、李四；"
        "table 第二组, counted by 王五."
    )
    set_language("zh_CN")  # conftest switches back to English after the test
    chinese = result_sheet(db)
    out = tmp_path / "result.pdf"
    render_result_sheet(chinese, out, resolve_font(None))
    text = "".join(page.extract_text() for page in PdfReader(out).pages).replace("\n", "")
    assert "第一组" in text and "张三、李四" in text and "王五" in text
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(out),
                    str(tmp_path / "result")], check=False)  # fmt: skip
    print(f"result sheet: {sorted(tmp_path.glob('result*.png'))}")


def test_a_second_clerk_enters_the_same_ballots_on_a_screen_of_their_own(
    db: Database, paper: BallotPaper
) -> None:
    """Double entry (``count screen --pass 2``): the second clerk's screen stores its reading
    apart (never counted); reconcile finds the one ballot read differently."""
    from juwei.elections.double_entry import reconcile

    first = ["1", "tab", "1", "tab", "1", "2", "3", "4", "5", "enter"]
    other = ["2", "tab", "1", "tab", "1", "2", "3", "4", "5", "enter"]

    async def clerk_one(pilot: Any, app: EntryApp) -> None:
        await pilot.press(*first, *first)
        await pilot.pause()

    async def clerk_two(pilot: Any, app: EntryApp) -> None:
        assert "second entry" in text(app, "#head")
        await pilot.press(*first)
        await pilot.press(*other)  # misread: 主任 2 instead of 1
        await pilot.pause()
        assert app.saved.identities == [serial(1), serial(2)]
        await pilot.press("f3")  # a second entry is not corrected here
        await pilot.pause()
        assert "reconcile" in text(app, "#message")

    drive(db, clerk_one)
    before = entry_tally(db)
    drive(db, clerk_two, second_pass=True)
    assert entry_tally(db) == before  # the second entry counts nothing
    found = reconcile(db)
    assert (found.first, found.second, found.agreeing) == (2, 2, 1)
    assert [d.ballot for d in found.differences] == [serial(2)]
