"""The app manifest an admin pastes: the command, scopes and settings the adapter relies on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from adapters.slack.app import COMMAND

MANIFEST = Path(__file__).resolve().parents[3] / "deploy" / "slack-manifest.yaml"


def load() -> dict[str, Any]:
    data = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_manifest_declares_the_command_with_a_usage_hint() -> None:
    (command,) = load()["features"]["slash_commands"]
    assert command["command"] == COMMAND
    assert 0 < len(command["usage_hint"]) <= 1000
    assert 0 < len(command["description"]) <= 2000
    # Picked users and channels arrive as ids (<@U1|ann>), which admin commands parse.
    assert command["should_escape"] is True


def test_manifest_grants_every_scope_the_adapter_uses() -> None:
    scopes = set(load()["oauth_config"]["scopes"]["bot"])
    # commands: /oped; chat:write: postMessage/update/postEphemeral; users:read: users.info;
    # files:write: files_upload_v2; im:write: conversations.open for private exports.
    assert {"commands", "chat:write", "users:read", "files:write", "im:write"} <= scopes
    # usergroups:read: usergroups.list/users.list for --roles; channels:read and groups:read:
    # conversations.members for --members, in public and private channels.
    assert {"usergroups:read", "channels:read", "groups:read"} <= scopes


def test_manifest_enables_socket_mode_and_interactivity() -> None:
    data = load()
    assert data["settings"]["socket_mode_enabled"] is True
    assert data["settings"]["interactivity"]["is_enabled"] is True
    assert data["features"]["bot_user"]["display_name"]


def test_manifest_display_information_fits_slack_limits() -> None:
    info = load()["display_information"]
    assert 1 <= len(info["name"]) <= 35
    assert len(info["description"]) <= 140
    assert 174 <= len(info["long_description"]) <= 4000
    assert info["background_color"].startswith("#") and len(info["background_color"]) == 7
