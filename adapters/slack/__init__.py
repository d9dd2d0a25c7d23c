"""The Slack adapter: `/oped` with every command, Block Kit cards, Socket Mode and HTTP.

`serve(bot, env, stop)` runs it inside `oped-bot run`; `adapters.slack.cli` is `oped-bot slack`.
"""

from __future__ import annotations

from adapters.slack.server import serve

__all__ = ["serve"]
