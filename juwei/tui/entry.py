"""``juwei count screen``: one full-screen entry form per counting table (Textual).

The ballot's offices stand side by side as on paper, candidates numbered as printed. Keys
(shown at the bottom of the screen):

* a candidate's number marks 同意 (again: unmarks); ``-`` then a number marks 不同意;
  with ten candidates ``0`` is the 10th; with more, numbers take two digits (a space ends
  a one-digit number);
* Tab / → the next office, Shift+Tab / ← the previous one;
* ``*`` rules the section illegible (again: not);
* ``/`` writes a name in (completed from the roll with →; Enter adds it, Esc cancels);
* Backspace takes back the last mark of the section;
* Enter saves the ballot (one transaction) and clears the form for the next one, whose
  identity is proposed (the next one not entered yet); F2 changes the identity;
* Esc clears the form; Ctrl+Q ends.

As it is typed the ballot is judged by the count's own rule (an over-voted section shows
invalid at once), a ballot identity already entered (here or at another table) is refused at
once, and the running totals are the engine's tally (``entry_tally``), refreshed after each
save and whenever another terminal writes to the same database.
"""

from dataclasses import dataclass
from typing import Any, ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.app import App, ComposeResult
from textual.containers import Horizontal
from textual.suggester import SuggestFromList
from textual.widget import Widget
from textual.widgets import Input, Static

from juwei.elections.board import change_mark
from juwei.elections.count import correct_ballot, record_ballots
from juwei.elections.db import Database
from juwei.elections.double_entry import record_second_pass
from juwei.elections.entry import (
    EntryForm,
    FormBallot,
    FormOffice,
    RunningTotals,
    add_saved,
    bundle_of,
    bundle_taken,
    entered,
    load_totals,
    next_free,
    next_identity,
    recorded_ballot,
)
from juwei.errors import JuweiError, redact
from juwei.i18n import _
from juwei.rules.counting import BallotJudgement


@dataclass
class Saved:
    """What the screen saved (for the caller and the tests): identities in order."""

    identities: list[str]


class Sheet(Widget, can_focus=True):
    """The focusable form: receives the marking keys (see the module docstring)."""

    # Every key is handled here, in the order typed: bindings would run as actions after the
    # key has bubbled up, so a fast typist's Tab could land after the number that follows it.
    KEYS: ClassVar[dict[str, str]] = {
        "tab": "office(1)",
        "right": "office(1)",
        "shift+tab": "office(-1)",
        "left": "office(-1)",
        "enter": "save",
        "escape": "clear",
        "f2": "identity",
        "f3": "call_back",
        "slash": "write_in",
        "asterisk": "illegible",
        "minus": "against",
        "backspace": "take_back",
        "space": "flush",
    }

    def render(self) -> Text:
        return Text("")

    def action_office(self, step: int) -> None:
        self.app_entry.move(step)

    def action_save(self) -> None:
        self.app_entry.save()

    def action_clear(self) -> None:
        self.app_entry.clear()

    def action_identity(self) -> None:
        self.app_entry.query_one("#identity", Input).focus()

    def action_call_back(self) -> None:
        self.app_entry.open_input("#callback")

    def action_write_in(self) -> None:
        self.app_entry.open_write_in()

    def action_illegible(self) -> None:
        self.app_entry.toggle_illegible()

    def action_against(self) -> None:
        self.app_entry.against_next = True
        self.app_entry.refresh_form()

    def action_take_back(self) -> None:
        self.app_entry.take_back()

    def action_flush(self) -> None:
        self.app_entry.flush_digits()

    def on_key(self, event: events.Key) -> None:
        action = self.KEYS.get(event.key)
        if event.character is not None and event.character.isdigit():
            event.stop()
            event.prevent_default()
            self.app_entry.digit(event.character)
        elif action is not None:
            event.stop()
            event.prevent_default()
            if action.startswith("office("):
                self.action_office(int(action[7:-1]))
            else:
                getattr(self, f"action_{action}")()

    @property
    def app_entry(self) -> "EntryApp":
        app = self.app
        assert isinstance(app, EntryApp)
        return app


class EntryApp(App[Saved]):
    """The entry screen of one counting table (see the module docstring)."""

    TITLE = "计票录入"
    CSS = """
    Screen { layout: vertical; }
    #head { height: 2; padding: 0 1; background: $boost; }
    #offices { height: 1fr; }
    .office { width: 1fr; border: round $secondary; padding: 0 1; }
    #writein, #identity, #callback, #reason { display: none; }
    #writein.open, #identity:focus, #callback:focus, #reason:focus { display: block; }
    #totals { height: 8; padding: 0 1; border-top: solid $secondary; }
    #message { height: 2; padding: 0 1; }
    #help { height: 2; padding: 0 1; color: $text-muted; }
    Sheet { height: 0; }
    """

    def __init__(
        self,
        db: Database,
        form: EntryForm,
        *,
        operator: str,
        table: str = "",
        second_pass: bool = False,
        start: str = "",
    ) -> None:
        super().__init__()
        self.db = db
        self.form = form
        self.operator = operator
        self.table = table
        self.second_pass = second_pass
        self.active = 0
        self.against_next = False
        self.digits = ""
        self.history: list[tuple[str, str, int | str]] = []  # office, kind, number/name
        self.saved = Saved([])
        self.mark = -1
        self.totals: RunningTotals | None = None
        self.ballot = FormBallot(
            form, start or next_identity(db, form.election_id, second_pass=second_pass)
        )
        self.duplicate = False
        self.correcting = ""  # the ballot called back for correction (F3), if any
        self._resume: tuple[FormBallot, list[tuple[str, str, int | str]]] | None = None
        self._drawn: dict[int, tuple[str, tuple[Any, ...]]] = {}
        self._office_state: dict[int, Any] = {}
        self._judged: tuple[Any, BallotJudgement] | None = None  # (marks, judgement)
        self._error_shown = False
        self._head_state: tuple[Any, ...] | None = None
        self._taken: tuple[int, set[str]] | None = None  # bundle → identities entered in it

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield Static(id="head")
        with Horizontal(id="offices"):
            for index, _office in enumerate(self.form.offices):
                yield Static(id=f"office-{index}", classes="office")
        yield Input(
            id="writein",
            placeholder=_("Name written in (→ completes from the roll, Enter adds, Esc cancels)"),
            suggester=SuggestFromList(self.form.roll_names(), case_sensitive=True),
        )
        yield Input(id="identity", placeholder=_("Ballot identity (Enter to keep)"))
        yield Input(
            id="callback",
            placeholder=_("Ballot to call back and correct: bundle-number, e.g. 12-37"),
        )
        yield Input(id="reason", placeholder=_("Why is this ballot corrected? (Enter records it)"))
        yield Sheet()
        yield Static(id="totals")
        yield Static(id="message")
        yield Static(
            _(
                "number = 同意 · - number = 不同意 · Tab next office · * illegible · / write in "
                "· Backspace take back · Enter save · F2 identity · F3 correct a ballot · Esc "
                "clear · Ctrl+Q quit"
            ),
            id="help",
        )

    def on_mount(self) -> None:
        self._head = self.query_one("#head", Static)
        self._sections = [
            self.query_one(f"#office-{i}", Static) for i in range(len(self.form.offices))
        ]
        self._message = self.query_one("#message", Static)
        self.query_one(Sheet).focus()
        self._totals = self.query_one("#totals", Static)
        self.check_identity()
        self.refresh_form()
        if self.second_pass:
            self.reload_totals()
        else:
            self.show_totals(load_totals(self.db, self.form))
        self.set_interval(1.0, self.poll)

    # ------------------------------------------------------------------ marking

    @property
    def office(self) -> FormOffice:
        return self.form.offices[self.active]

    def move(self, step: int) -> None:
        self.flush_digits()
        self.active = (self.active + step) % len(self.form.offices)
        self.against_next = False
        self.refresh_form()

    def digit(self, char: str) -> None:
        """A number key in the active office (see the module docstring for 10+ candidates)."""
        most = max((c.number for c in self.office.candidates), default=0)
        if most <= 9:
            self.toggle(int(char))
        elif most == 10:
            self.toggle(10 if char == "0" else int(char))
        else:
            self.digits += char
            if int(self.digits) * 10 > most:
                self.flush_digits()
            else:
                self.refresh_form()

    def flush_digits(self) -> None:
        """Take the number typed so far (two-digit offices)."""
        if self.digits:
            number, self.digits = int(self.digits), ""
            self.toggle(number)

    def toggle(self, number: int) -> None:
        office = self.office
        if office.candidate(number) is None:
            self.say(_("{office} has no candidate {n}").format(office=office.title, n=number))
            self.against_next = False
            self.refresh_form()
            return
        marks = self.ballot.section(office.key)
        kind = "against" if self.against_next else "for"
        chosen, other = (
            (marks.against, marks.for_) if kind == "against" else (marks.for_, marks.against)
        )
        if number in chosen:
            chosen.discard(number)
        else:
            chosen.add(number)
            other.discard(number)
            self.history.append((office.key, kind, number))
        self.against_next = False
        if self._error_shown:  # an error is cleared by the next mark; a "saved" note stays
            self.say("")
        self.refresh_form()

    def toggle_illegible(self) -> None:
        marks = self.ballot.section(self.office.key)
        marks.illegible = not marks.illegible
        self.refresh_form()

    def take_back(self) -> None:
        """Remove the last mark made in the active office."""
        key = self.office.key
        for index in range(len(self.history) - 1, -1, -1):
            office, kind, what = self.history[index]
            if office != key:
                continue
            del self.history[index]
            marks = self.ballot.section(key)
            if kind == "for" and isinstance(what, int):
                marks.for_.discard(what)
            elif kind == "against" and isinstance(what, int):
                marks.against.discard(what)
            elif isinstance(what, str) and what in marks.write_ins:
                marks.write_ins.remove(what)
            break
        self.refresh_form()

    def open_write_in(self) -> None:
        if not self.office.write_ins:
            self.say(_("The charter allows no write-ins on this ballot."), error=True)
            return
        box = self.query_one("#writein", Input)
        box.value = ""
        box.add_class("open")
        box.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "writein":
            self.add_write_in(event.value.strip())
        elif event.input.id == "identity":
            value = event.value.strip()
            if value:
                self.ballot.identity = value
            event.input.value = ""
            self.query_one(Sheet).focus()
            self.check_identity()
            self.refresh_form()
        elif event.input.id == "callback":
            event.input.value = ""
            self.query_one(Sheet).focus()
            self.call_back(event.value.strip())
        elif event.input.id == "reason":
            self.correct(event.value.strip())

    def open_input(self, selector: str) -> None:
        """Give the focus to one of the screen's prompts (it shows while focused)."""
        if selector == "#callback" and self.second_pass:
            self.say(_("A second entry is corrected by juwei count reconcile."), error=True)
            return
        box = self.query_one(selector, Input)
        box.value = ""
        box.focus()

    def call_back(self, identity: str) -> None:
        """Call an entered ballot back to the form as stored, to correct it (F3)."""
        if not identity:
            return
        try:
            ballot = recorded_ballot(self.db, self.form, identity)
        except JuweiError as error:
            self.say(redact(str(error)), error=True)
            return
        if not self.correcting:
            self._resume = (self.ballot, self.history)  # the ballot being typed, kept
        self.correcting = identity
        self.ballot = ballot
        self.duplicate = False
        self.history = [
            (key, kind, what)
            for key, marks in ballot.marks.items()
            for kind, values in (("for", sorted(marks.for_)), ("against", sorted(marks.against)))
            for what in values
        ] + [(key, "write_in", name) for key, m in ballot.marks.items() for name in m.write_ins]
        self.active = 0
        self.against_next = False
        self.say(
            _(
                "Ballot {ballot} called back as entered: change its marks, Enter, then give the "
                "reason (Esc cancels)."
            ).format(ballot=identity)
        )
        self.refresh_form()

    def correct(self, reason: str) -> None:
        """Record the correction of the ballot called back (``correct_ballot``: taken back
        and entered again as the form shows, the reason and both readings logged)."""
        box = self.query_one("#reason", Input)
        if not reason:
            self.say(_("a correction needs its reason (--reason)"), error=True)
            return
        box.value = ""
        self.query_one(Sheet).focus()
        try:
            done = correct_ballot(
                self.db,
                self.ballot.entry(),
                reason=reason,
                election_id=self.form.election_id,
                operator=self.operator,
            )
        except JuweiError as error:
            self.say(redact(str(error)), error=True)
            return
        self.say(
            _("Ballot {ballot} corrected ({state}).").format(
                ballot=done.ballot, state=_("valid") if done.valid else _("invalid")
            )
        )
        self.end_correction()
        self.reload_totals()

    def end_correction(self) -> None:
        """Back to the ballot that was being keyed in before the call-back, its marks as
        they were."""
        self.correcting = ""
        assert self._resume is not None
        self.ballot, self.history = self._resume
        self._resume = None
        self.active = 0
        self.check_identity()
        self.refresh_form()

    def add_write_in(self, name: str) -> None:
        box = self.query_one("#writein", Input)
        if not name:
            return
        self.ballot.section(self.office.key).write_ins.append(name)
        self.history.append((self.office.key, "write_in", name))
        box.remove_class("open")
        self.query_one(Sheet).focus()
        self.say("")
        self.refresh_form()

    def on_key(self, event: events.Key) -> None:
        if event.key == "escape":
            box = self.query_one("#writein", Input)
            if box.has_focus:
                event.stop()
                box.remove_class("open")
                self.query_one(Sheet).focus()
            for prompt in ("#identity", "#callback", "#reason"):
                box = self.query_one(prompt, Input)
                if box.has_focus:
                    event.stop()
                    box.value = ""
                    self.query_one(Sheet).focus()

    def clear(self) -> None:
        if self.correcting:  # Esc while correcting: the ballot stays as entered
            self.say(_("Correction cancelled."))
            self.end_correction()
            return
        self.ballot = FormBallot(self.form, self.ballot.identity)
        self.history.clear()
        self.digits = ""
        self.against_next = False
        self.active = 0
        self.say("")
        self.refresh_form()

    # ------------------------------------------------------------------ saving

    def check_identity(self) -> None:
        """Refuse at once an identity that is already entered (at any table)."""
        identity = self.ballot.identity
        self.duplicate = bool(identity) and entered(
            self.db, self.form.election_id, identity, second_pass=self.second_pass
        )
        if self.duplicate:
            self.say(
                _("ballot {serial} is already entered").format(serial=identity)
                + " — "
                + _("F2 to give another identity"),
                error=True,
            )

    def save(self) -> None:
        """Save the ballot in one transaction, then clear the form for the next one."""
        self.flush_digits()
        identity = self.ballot.identity
        if not identity:
            self.say(_("Give the ballot's identity first (F2)."), error=True)
            return
        if self.correcting:  # the corrected reading is saved with its reason
            self.open_input("#reason")
            return
        if self.duplicate:  # checked when the identity was given and on every poll; a
            return  # ballot saved elsewhere since is refused by the save itself, named
        try:
            entry = self.ballot.entry()
            if self.second_pass:
                record_second_pass(
                    self.db, [entry], election_id=self.form.election_id, operator=self.operator
                )
            else:
                record_ballots(
                    self.db, [entry], election_id=self.form.election_id, operator=self.operator
                )
        except JuweiError as error:
            self.say(redact(str(error)), error=True)
            return
        self.saved.identities.append(identity)
        # the totals take this ballot alone when no other terminal wrote meanwhile
        fresh = self.totals is not None and add_saved(
            self.db, self.totals, self.form.election_id, identity
        )
        if not fresh:  # another terminal wrote (or a second entry): read again
            self._taken = None
        self.ballot = FormBallot(self.form, self.next_identity(identity))
        self.history.clear()
        self.active = 0
        self.against_next = False
        self.say(_("Saved ballot {serial}.").format(serial=identity))
        if fresh and self.totals is not None:
            self.mark = self.totals.mark  # the next identity is free by construction
            self.show_totals()
        else:
            self.check_identity()
            self.reload_totals()
        self.refresh_form()

    def next_identity(self, after: str) -> str:
        """The next free place after ``after`` (``next_identity``), from the identities of
        its bundle read once and kept while no other terminal writes."""
        bundle = bundle_of(after)
        if self._taken is None or self._taken[0] != bundle:
            self._taken = (
                bundle,
                bundle_taken(self.db, self.form.election_id, bundle, self.second_pass),
            )
        if after:
            self._taken[1].add(after)
        return next_free(after, self._taken[1])

    def poll(self) -> None:
        """Follow other terminals: refresh the totals and re-check the identity."""
        mark = change_mark(self.db)
        if mark != self.mark:
            self.mark = mark
            self._taken = None
            self.reload_totals()
            self.check_identity()
            self.refresh_form()

    # ------------------------------------------------------------------ drawing

    def say(self, message: str, *, error: bool = False) -> None:
        self._error_shown = error
        self._draw(self._message, Text(message, style="bold red" if error else "green"))

    def refresh_form(self) -> None:
        marked = tuple(
            None
            if (marks := self.ballot.marks.get(office.key)) is None
            else (
                tuple(sorted(marks.for_)),
                tuple(sorted(marks.against)),
                tuple(marks.write_ins),
                marks.illegible,
            )
            for office in self.form.offices
        )
        if self._judged is None or self._judged[0] != marked:  # judged again only on a mark
            self._judged = (marked, self.ballot.judge())
        judged = self._judged[1]
        head_state = (
            self.ballot.identity,
            self.duplicate,
            self.correcting,
            judged.valid,
            judged.reason,
            judged.blank,
        )
        if self._head_state != head_state:  # the head is built only when it changes
            self._head_state = head_state
            self._draw(self._head, self._head_text(judged))
        for index, office in enumerate(self.form.offices):
            section = judged.section(office.key)
            state = (
                marked[index],
                section.valid,
                section.reason,
                index == self.active and (self.against_next, self.digits),
            )
            if self._office_state.get(index) != state:  # the pane's text is built only then
                self._office_state[index] = state
                self._draw(self._sections[index], self._office_text(office, index, judged))

    def _head_text(self, judged: BallotJudgement) -> Text:
        head = Text()
        head.append(f"{self.form.election_title}  ")
        if self.table:
            head.append(_("table {table}").format(table=self.table) + "  ")
        head.append(_("ballot") + " ")
        head.append(
            self.ballot.identity or "—", style="bold reverse red" if self.duplicate else "bold"
        )
        if self.second_pass:
            head.append("  " + _("second entry (compared, not counted)"), style="yellow")
        if self.correcting:
            head.append("  " + _("correcting an entered ballot"), style="bold yellow")
        if not judged.valid:
            head.append(
                "\n" + _("Invalid ballot: {reason}").format(reason=judged.reason), "bold red"
            )
        elif judged.blank:
            head.append("\n" + _("Blank ballot"), "yellow")
        return head

    def _draw(self, widget: Static, text: Text) -> None:
        # fixed-size panes: no layout pass; a pane whose text did not change is not redrawn
        key = (text.plain, tuple(text.spans))
        if self._drawn.get(id(widget)) != key:
            self._drawn[id(widget)] = key
            widget.update(text, layout=False)

    def _office_text(self, office: FormOffice, index: int, judged: Any) -> Text:
        marks = self.ballot.marks.get(office.key)
        text = Text()
        # the office being typed: its title in reverse (a CSS class change would restyle the
        # whole screen on every Tab)
        if index == self.active:
            text.append(f"▶ {office.title} ", "bold reverse")
        else:
            text.append(f"  {office.title} ", "bold")
        text.append("  " + _("{n} seat(s)").format(n=office.seats) + "\n")
        for cand in office.candidates:
            mark = "  "
            style = ""
            if marks is not None and cand.number in marks.for_:
                mark, style = "○ 同意", "bold green"
            elif marks is not None and cand.number in marks.against:
                mark, style = "× 不同意", "bold red"
            pad = " " * max(1, 12 - cell_len(cand.name))
            text.append(f"{cand.number:>2} {cand.name}{pad}", style)
            text.append(f" {mark}\n", style)
        for name in marks.write_ins if marks is not None else ():
            if office.void(name, self.form.roll):  # a void mark (issue 13): counts for nobody
                written = _("written in, counts for nobody")
                text.append(f" + {name} ({written})\n", "bold yellow")
            else:
                written = _("written in")
                text.append(f" + {name} ({written})\n", "bold green")
        section = judged.section(office.key)
        if marks is not None and marks.illegible:
            text.append(_("illegible") + "\n", "bold red")
        if not section.valid:
            text.append(_("invalid: {reason}").format(reason=section.reason), "bold red")
        elif marks is None or marks.empty:
            text.append(_("no mark"), "dim")
        else:
            text.append(_("valid"), "green")
        if index == self.active:
            if self.against_next:
                text.append("\n" + _("next number: 不同意"), "bold red")
            if self.digits:
                text.append(f"\n{self.digits}…", "bold")
        return text

    def reload_totals(self) -> None:
        """Load the running totals whole again, off the screen's thread (after another
        terminal wrote, or a correction): typing never waits for it."""
        if self.second_pass:
            self.mark = change_mark(self.db)
            self._draw(self._totals, Text(_("Second entry: compared by juwei count reconcile.")))
            return
        self.run_worker(self._load_totals, thread=True, exclusive=True, group="totals")

    def _load_totals(self) -> None:
        totals = load_totals(self.db, self.form)
        try:
            self.call_from_thread(self.show_totals, totals)
        except RuntimeError:  # the screen has closed meanwhile
            pass

    def show_totals(self, totals: RunningTotals | None = None) -> None:
        """Draw the running totals (``totals``: newly loaded; kept unless older than ours)."""
        if totals is not None and (self.totals is None or totals.mark >= self.totals.mark):
            self.totals = totals
            self.mark = totals.mark
        if self.totals is None:
            return
        tally = self.totals.tally()
        text = Text()
        text.append(
            _("Entered {n}: {valid} valid ({blank} blank), {invalid} invalid").format(
                n=tally.recorded, valid=tally.valid, blank=tally.blank, invalid=tally.invalid
            )
            + "\n",
            "bold",
        )
        for office in tally.offices:
            text.append(f"{office.title}: ", "bold")
            text.append("  ".join(f"{name} {votes}" for name, votes in office.votes) + "\n")
        self._draw(self._totals, text)


def keys_for(form: EntryForm, record: dict[str, Any]) -> list[str]:
    """The keys a clerk presses on this screen to enter ``record`` (the JSON Lines shape of
    ``juwei count import``: sections by office title with ``for`` / ``against`` numbers or
    names and ``write_in`` names; ``illegible`` titles), saving included. A name written in
    is counted one key per character (an input method may take more). For tests and the
    benchmark: it is how the screen's keystrokes per ballot are measured."""
    keys: list[str] = []
    sections = record.get("sections") or {}
    illegible = set(record.get("illegible") or ())
    at = 0
    for index, office in enumerate(form.offices):
        marks = sections.get(office.title) or {}
        if not marks and office.title not in illegible:
            continue
        keys += ["tab"] * (index - at)
        at = index
        most = max((c.number for c in office.candidates), default=0)

        def number_keys(value: str, office: FormOffice = office, most: int = most) -> list[str]:
            cand = office.candidate_named(value)
            number = cand.number if cand is not None else int(value)
            if most <= 9:
                return [str(number)]
            if most == 10:
                return ["0" if number == 10 else str(number)]
            typed = list(str(number))
            return typed if number * 10 > most else [*typed, "space"]

        for value in marks.get("for", ()):
            keys += number_keys(str(value))
        for value in marks.get("against", ()):
            keys += ["minus", *number_keys(str(value))]
        for name in marks.get("write_in", ()):
            keys += ["slash", *list(name), "enter"]
        if office.title in illegible:
            keys.append("asterisk")
    keys.append("enter")
    return keys
