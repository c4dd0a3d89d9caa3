"""``juwei board``: the running count on a projector, served read-only over HTTP.

A Starlette application (run by uvicorn) with four routes, none of which writes anything:

* ``GET /``: the board page (Chinese, large type); its script, style and font ship in
  ``juwei/web/static`` and ``juwei/ballots/fonts`` — nothing is loaded from the internet;
* ``GET /state``: the board as JSON (``juwei.elections.board.BoardState``);
* ``GET /events``: server-sent events: one ``state`` event at once, then one each time the
  database changes (any terminal writing to the same database), checked every
  ``interval`` seconds through ``change_mark`` (one indexed query);
* ``GET /static/…``: the page's assets.

Anything else gets a 4xx (404 unknown path, 405 any method but GET/HEAD); an error inside
the application gets a plain 500 without a traceback.
"""

import struct
from collections.abc import AsyncIterator
from functools import cache
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
from sse_starlette.sse import EventSourceResponse
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from juwei.ballots.fonts import BUNDLED_FONT
from juwei.elections.board import BoardState, board_state, change_mark
from juwei.elections.db import Database

STATIC = Path(__file__).resolve().parent / "static"
SECURITY_HEADERS = {
    # the page loads nothing from elsewhere and runs only its own script
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


@cache
def board_font() -> bytes:
    """The packaged Chinese font (WenQuanYi Micro Hei, Apache-2.0) as one TrueType font:
    browsers do not load a font collection (.ttc), so its first face is copied out with its
    tables (same bytes, new offsets). Built once per process."""
    data = BUNDLED_FONT.read_bytes()
    start = struct.unpack(">I", data[12:16])[0] if data[:4] == b"ttcf" else 0
    version, count = struct.unpack(">IH", data[start : start + 6])
    records = [
        struct.unpack(">4sIII", data[start + 12 + 16 * i : start + 28 + 16 * i])
        for i in range(count)
    ]
    entry = max(i for i in range(16) if 2**i <= count)
    head = struct.pack(">IHHHH", version, count, 16 * 2**entry, entry, 16 * count - 16 * 2**entry)
    offset = 12 + 16 * count
    table_bytes: list[bytes] = []
    directory: list[bytes] = []
    for tag, checksum, at, length in records:
        directory.append(struct.pack(">4sIII", tag, checksum, offset, length))
        body = data[at : at + length]
        body += b"\0" * (-len(body) % 4)
        table_bytes.append(body)
        offset += len(body)
    return head + b"".join(directory) + b"".join(table_bytes)


class Board:
    """The board of one election in one database; ``state`` / ``mark`` are blocking (run them
    in a worker thread from async code). The election is fixed when the board starts (the
    newest when ``election_id`` is None), so that a round the count creates does not take
    the board away from the count it shows. Raises ``NotFoundError`` for no such election."""

    def __init__(self, db: Database, election_id: int | None, community: str | None) -> None:
        self.db = db
        self.community = community
        self.election_id = board_state(db, election_id=election_id, community=community).election_id

    def state(self) -> BoardState:
        """The board now (``NotFoundError`` when the election does not exist)."""
        return board_state(self.db, election_id=self.election_id, community=self.community)

    def mark(self) -> int:
        """The database's change mark (see ``juwei.elections.board.change_mark``)."""
        return change_mark(self.db)


def create_app(board: Board, *, interval: float = 0.2) -> Starlette:
    """The ASGI application of ``board``; ``interval``: seconds between change checks."""

    async def page(request: Request) -> Response:
        html = (STATIC / "board.html").read_text(encoding="utf-8")
        return HTMLResponse(html, headers=SECURITY_HEADERS)

    async def state(request: Request) -> Response:
        current = await anyio.to_thread.run_sync(board.state)
        return Response(
            current.to_json(),
            media_type="application/json; charset=utf-8",
            headers=SECURITY_HEADERS,
        )

    async def font(request: Request) -> Response:
        body = await anyio.to_thread.run_sync(board_font)
        return Response(body, media_type="font/ttf", headers={"Cache-Control": "max-age=86400"})

    async def events(request: Request) -> Response:
        async def stream() -> AsyncIterator[dict[str, Any]]:
            last: int | None = None
            while not await request.is_disconnected():
                mark = await anyio.to_thread.run_sync(board.mark)
                if mark != last:
                    current = await anyio.to_thread.run_sync(board.state)
                    last = current.mark
                    yield {"event": "state", "data": current.to_json()}
                await anyio.sleep(interval)

        return EventSourceResponse(stream(), ping=15, headers={"Cache-Control": "no-store"})

    async def refused(request: Request, exc: Exception) -> Response:
        if isinstance(exc, HTTPException):
            return PlainTextResponse(exc.detail, status_code=exc.status_code)
        return PlainTextResponse("Internal Server Error", status_code=500)

    return Starlette(
        routes=[
            Route("/", page, methods=["GET"]),
            Route("/state", state, methods=["GET"]),
            Route("/events", events, methods=["GET"]),
            Route("/font/board.ttf", font, methods=["GET"]),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ],
        exception_handlers={HTTPException: refused, Exception: refused},
    )
