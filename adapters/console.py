"""The console adapter: the whole product in a terminal, no token needed.

Lines use the same syntax as Slack's `/oped`. Meta-commands let one person try multi-user
features: `:user NAME`, `:mod on|off`, `:channel NAME`.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from bot.actions import command_line
from bot.app import Bot
from bot.config import Settings
from bot.models import Place, User
from bot.platforms import Plugin
from bot.replies import Attachment, Card, Reply

META_HELP = """Console meta-commands:
  :user NAME       act as another user
  :mod on|off      give or take a platform admin's rights (a moderator
                   added with `admin moderators add` stays one)
  :roles NAME ...  give yourself these roles (for polls made with --roles);
                   `:roles` alone takes them away
  :channel NAME    move to another channel
  :whoami          show who and where you are
  :quit            leave (end of input does the same)"""

log = logging.getLogger(__name__)


def charts_folder(settings: Settings) -> Path:
    """Where the console saves chart images: a `charts` folder beside the SQLite file.

    With PostgreSQL there is no database file to sit beside: `charts` in the working directory.
    """
    if settings.db_url:
        return Path("charts")
    return settings.db_path.parent / "charts"


def render(reply: Reply, charts: Path | None = None) -> str:
    """A reply as plain text for the terminal; images are saved in `charts` and named."""
    parts = [_card(card) for card in reply.cards]
    for attachment in reply.attachments:
        if attachment.is_image:
            parts.append(_image(attachment, charts))
        else:
            parts.append(
                f"--- {attachment.filename} ---\n{attachment.content.decode('utf-8').rstrip()}"
            )
    if reply.thread:
        parts.append(f"(a discussion thread opens: {reply.thread})")
    if reply.ephemeral:
        parts.append("(only you can see this)")
    return "\n\n".join(p for p in parts if p)


def _image(attachment: Attachment, charts: Path | None) -> str:
    """A terminal cannot show a picture: save it and print where, with what it shows."""
    described = f"\n{attachment.alt_text}" if attachment.alt_text else ""
    if charts is None:
        return f"--- {attachment.filename} (not saved) ---{described}"
    path = charts / Path(attachment.filename).name  # never a path of the reply's choosing
    try:
        charts.mkdir(parents=True, exist_ok=True)
        path.write_bytes(attachment.content)
    except OSError as exc:
        return (
            f"--- {attachment.filename} could not be saved in {charts.resolve()}: "
            f"{exc.strerror or exc}. Make that folder writable to get the image. ---{described}"
        )
    return f"--- chart saved: {path.resolve()} ---{described}"


def _card(card: Card) -> str:
    lines: list[str] = []
    if card.title:
        lines.append(f"== {card.title} ==")
    if card.body:
        body = card.body
        if card.kind == "quote":
            body = "\n".join(f"> {line}" for line in body.splitlines())
        elif card.kind == "error":
            body = f"Error: {body}"
        lines.append(body)
    for field in card.fields:
        value = field.value.replace("\n", "\n    ")
        lines.append(f"  {field.name}: {value}")
    if card.footer:
        lines.append(f"  -- {card.footer}")
    for number, button in enumerate(card.buttons, 1):
        line = command_line(button.action)
        lines.append(f"  [{number}] {button.text}    (type: {line})")
    return "\n".join(lines)


class ConsolePoster:
    """The `Poster` port for the console: scheduled prompts and announcements are printed."""

    def __init__(self, write: Callable[[str], object], charts: Path | None = None) -> None:
        self._write = write
        self._count = 0
        self.charts = charts

    def next_id(self) -> str:
        """A fresh message id, shared with the session's own public answers."""
        self._count += 1
        return f"console-{self._count}"

    async def post(self, place: Place, reply: Reply) -> str:
        """Print `reply` as a message posted in `place`; return a console message id."""
        message_id = self.next_id()
        shown = render(reply, self.charts)
        self._write(f"[posted in #{place.channel} as {message_id}]\n{shown}\n\n")
        return message_id

    async def update(self, place: Place, message_id: str, reply: Reply) -> None:
        """Print the redrawn message (a terminal cannot edit what it printed)."""
        shown = render(reply, self.charts)
        self._write(f"[{message_id} in #{place.channel} now reads]\n{shown}\n\n")

    async def open_thread(self, place: Place, message_id: str, name: str) -> None:
        """Nothing more to print: the posted text already says which thread opens."""


def _printer(stream: TextIO) -> Callable[[str], object]:
    def write(text: str) -> None:
        stream.write(text)
        stream.flush()

    return write


class ConsoleSession:
    """One person at a terminal, who may pretend to be others."""

    def __init__(
        self,
        bot: Bot,
        user: str = "guest",
        channel: str = "general",
        poster: ConsolePoster | None = None,
    ) -> None:
        self.bot = bot
        self.charts = charts_folder(bot.services.settings)
        # Public answers are numbered like posts, so redraws of them print under that id.
        self.poster = poster or ConsolePoster(lambda text: None, self.charts)
        self.last_posted: str | None = None
        self.user = User(id=user, name=user, is_moderator=False)
        self.place = Place("console", "local", channel)
        self.done = False
        # Where the current user's rights come from, as commands see them; refreshed after
        # every line, since a command (`admin moderators add`) can change them.
        self._rights: str | None = None

    @property
    def prompt(self) -> str:
        mod = "*" if self._rights else ""
        return f"{self.user.name}{mod}@#{self.place.channel}> "

    async def send(self, line: str) -> str:
        """Handle one line and return what the console shows."""
        line = line.strip()
        if not line:
            return ""
        if line.startswith(":"):
            return await self._meta(line)
        reply = await self.bot.handle_text(line, self.place, self.user)
        shown = await self._deliver(reply)
        await self.refresh()  # a command (`admin moderators add`) can change the rights
        return shown

    async def press(self, line: str, message_id: str) -> str:
        """Click a button of message `message_id`: run the line it carries, as a click."""
        reply = await self.bot.handle_text(line, self.place, self.user)
        return await self._deliver(reply, clicked=message_id)

    async def _deliver(self, reply: Reply, clicked: str | None = None) -> str:
        answer = _Answer(self)
        await self.bot.services.delivery.answer(
            reply, self.place, answer, button=clicked is not None, clicked=clicked
        )
        return "\n\n".join(answer.shown)

    async def refresh(self) -> None:
        """Re-read where the current user's rights come from."""
        try:
            self._rights = await self.bot.moderator_source(self.place, self.user)
        except Exception:
            # The database is failing: the command's own reply has said so; the prompt keeps
            # what it last knew rather than ending the session.
            log.warning("could not re-read the console user's rights", exc_info=True)

    @property
    def role(self) -> str:
        """The current user's rights as commands see them, in words."""
        if self._rights is None:
            return "member"
        reason = _REASONS.get(self._rights, "")
        return f"moderator: {reason}" if reason else "moderator"

    async def _meta(self, line: str) -> str:
        name, _, value = line[1:].partition(" ")
        value = value.strip()
        if name == "user" and value:
            self.user = User(id=value, name=value, is_moderator=False)  # roles stay behind
            await self.refresh()
            return f"You are now {value} ({self.role})."
        if name == "mod" and value in ("on", "off"):
            self.user = replace(self.user, is_moderator=value == "on")
            await self.refresh()
            text = f"Moderator rights {value} for {self.user.name}."
            if value == "off" and self._rights:
                reason = _REASONS.get(self._rights, "")
                text += f" {self.user.name} is still a moderator, {reason}."
            return text
        if name == "roles":
            # The console has no role mentions: roles are names (`--roles @Editors`).
            names = [word.removeprefix("@") for word in value.replace(",", " ").split()]
            roles = frozenset(n.casefold() for n in names if n)
            self.user = replace(self.user, roles=roles)
            if not roles:
                return f"{self.user.name} has no roles now."
            return f"{self.user.name} now has " + ", ".join(f"@{n}" for n in names if n) + "."
        if name == "channel" and value:
            self.place = replace(self.place, channel=value.lstrip("#"))
            return f"Now in #{self.place.channel}."
        if name == "whoami":
            await self.refresh()
            return f"{self.user.name} ({self.role}) in #{self.place.channel}."
        if name in _NEEDS and not value:
            return _NEEDS[name]
        if name in ("quit", "exit", "q"):
            self.done = True
            return ""
        return META_HELP


class _Answer:
    """The `Responder` for one console line: what it shows is returned to the terminal."""

    def __init__(self, session: ConsoleSession) -> None:
        self.session = session
        self.shown: list[str] = []

    async def private(self, reply: Reply) -> None:
        self.shown.append(render(replace(reply, ephemeral=True), self.session.charts))

    async def public(self, reply: Reply) -> str | None:
        self.shown.append(render(reply, self.session.charts))
        self.session.last_posted = self.session.poster.next_id()
        return self.session.last_posted


_NEEDS = {
    "user": "`:user` needs a name, e.g. `:user ana`.",
    "channel": "`:channel` needs a channel, e.g. `:channel debates`.",
    "mod": "`:mod` takes on or off: `:mod on`.",
}

# The same sources `Bot.moderator_source` names, in words a tester at the console can act on.
_REASONS: dict[str, str] = {
    "config": "listed in the config file",
    "bot": "granted in the bot with `admin moderators add`",
}


async def _read(read: Callable[[], str], stop: asyncio.Event | None) -> str | None:
    """One line from a daemon thread; None if `stop` is set first.

    Not `asyncio.to_thread`: a read blocked on an open terminal or pipe would keep the loop's
    executor, and so the process, from exiting on SIGTERM. A daemon thread is simply abandoned.
    """
    loop = asyncio.get_running_loop()
    line: asyncio.Future[object] = loop.create_future()

    def deliver(value: str | BaseException) -> None:
        if line.done():
            return
        if isinstance(value, BaseException):
            line.set_exception(value)
        else:
            line.set_result(value)

    def work() -> None:
        try:
            value: str | BaseException = read()
        except BaseException as exc:  # EOFError and KeyboardInterrupt go back to the loop
            value = exc
        with contextlib.suppress(RuntimeError):  # the loop closed while we were reading
            loop.call_soon_threadsafe(deliver, value)

    threading.Thread(target=work, name="console-input", daemon=True).start()
    if stop is None:
        return str(await line)
    stopped: asyncio.Future[object] = asyncio.ensure_future(stop.wait())
    await asyncio.wait([line, stopped], return_when=asyncio.FIRST_COMPLETED)
    stopped.cancel()
    if not line.done():
        line.cancel()
        return None
    return str(line.result())


async def serve(bot: Bot, env: Mapping[str, str], stop: asyncio.Event) -> None:
    """The console as an `oped-bot run` adapter: until end of input, `:quit` or `stop`.

    Scheduled prompts for console channels are printed here while it runs.
    """
    poster = ConsolePoster(_printer(sys.stdout), charts_folder(bot.services.settings))
    bot.services.delivery.attach("console", poster)
    # A terminal has no connection to lose: ready as soon as it reads.
    bot.services.readiness.connected("console")
    try:
        await run(bot, stop=stop, poster=poster)
    finally:
        bot.services.readiness.disconnected("console")
        await bot.services.delivery.detach("console", poster)


async def run(
    bot: Bot,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    stop: asyncio.Event | None = None,
    poster: ConsolePoster | None = None,
) -> int:
    """Read commands until end of input: with a prompt on a terminal, silently from a pipe.

    When `stop` is set the console takes no new line; a command already running finishes.
    """
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    session = ConsoleSession(bot, poster=poster)
    await session.refresh()  # the prompt marks a moderator from the config file too
    interactive = stdin.isatty()
    if interactive:
        with contextlib.suppress(ImportError):
            import readline  # noqa: F401  (gives input() history and line editing)
        stdout.write(
            f"oped-bot console on “{bot.services.packs.default.title}”. "
            "Type `help`, or `:help` for console tricks.\n"
        )
    while not session.done:
        try:
            if interactive:
                line = await _read(functools.partial(input, session.prompt), stop)
            else:
                line = await _read(stdin.readline, stop)
        except EOFError:
            if interactive:
                stdout.write("\n")  # Ctrl-D leaves the cursor after the prompt
            break
        if line is None or not (line or interactive):  # stopped, or the end of piped input
            break
        output = await session.send(line)
        if output:
            stdout.write(output + "\n")
            if not interactive:
                stdout.write("\n")
            stdout.flush()
    return 0


PLUGIN = Plugin(
    name="console",
    title="console",
    adapter="adapters.console",
    # It ends when its input does, and it is what `oped-bot run` starts when no token is set.
    finite=True,
    fallback=True,
)
