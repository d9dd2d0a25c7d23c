"""An errbot-style test backend: push a line as someone, read what the console shows."""

from __future__ import annotations

from adapters.console import ConsoleSession
from bot.app import Bot


class Chat:
    """A console session with one-line helpers for end-to-end tests."""

    def __init__(self, bot: Bot) -> None:
        self.session = ConsoleSession(bot)

    async def say(self, line: str) -> str:
        return await self.session.send(line)

    async def as_user(self, name: str, line: str, *, moderator: bool = False) -> str:
        await self.session.send(f":user {name}")
        if moderator:
            await self.session.send(":mod on")
        return await self.session.send(line)
