"""The app manifest an admin pastes: the command, scopes and settings the adapter relies on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from adapters.slack.app import COMMAND
from adapters.slack.events import EVENTS_PATH
from adapters.slack.oauth import REDIRECT_PATH, SCOPES

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
    # files:write: files_upload_v2; im:write: conversations.open for private exports;
    # channels:read and groups:read: users.conversations for the Home tab's channels.
    assert {"commands", "chat:write", "users:read", "files:write", "im:write"} <= scopes
    assert {"channels:read", "groups:read"} <= scopes
    # usergroups:read: usergroups.list/users.list for --roles; channels:read and groups:read:
    # conversations.members for --members, in public and private channels.
    assert "usergroups:read" in scopes


def test_manifest_enables_the_home_tab_and_its_event() -> None:
    data = load()
    assert data["features"]["app_home"]["home_tab_enabled"] is True
    assert "app_home_opened" in data["settings"]["event_subscriptions"]["bot_events"]


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


DISTRIBUTED = MANIFEST.with_name("slack-manifest-distributed.yaml")


def load_distributed() -> dict[str, Any]:
    data = yaml.safe_load(DISTRIBUTED.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_the_install_scopes_are_the_manifests() -> None:
    # What /slack/install asks each workspace for, by default, is what the manifests grant.
    assert set(SCOPES) == set(load()["oauth_config"]["scopes"]["bot"])
    assert load_distributed()["oauth_config"]["scopes"] == load()["oauth_config"]["scopes"]


def test_the_distributed_manifest_matches_the_one_workspace_one() -> None:
    one, many = load(), load_distributed()
    assert many["display_information"] == one["display_information"]
    assert many["features"]["bot_user"] == one["features"]["bot_user"]
    assert many["features"]["app_home"] == one["features"]["app_home"]
    assert set(one["settings"]["event_subscriptions"]["bot_events"]) <= set(
        many["settings"]["event_subscriptions"]["bot_events"]
    )
    (command,) = many["features"]["slash_commands"]
    (same,) = one["features"]["slash_commands"]
    assert {k: v for k, v in command.items() if k != "url"} == same


def test_the_distributed_manifest_points_slack_at_the_bot_over_http() -> None:
    data = load_distributed()
    settings = data["settings"]
    assert settings["socket_mode_enabled"] is False
    (command,) = data["features"]["slash_commands"]
    for url in (
        command["url"],
        settings["interactivity"]["request_url"],
        settings["event_subscriptions"]["request_url"],
    ):
        assert url.startswith("https://") and url.endswith(EVENTS_PATH)
    (redirect,) = data["oauth_config"]["redirect_urls"]
    assert redirect.startswith("https://") and redirect.endswith(REDIRECT_PATH)
    # Uninstalls and revoked tokens reach the bot, which then forgets the workspace's token.
    assert {"app_uninstalled", "tokens_revoked"} <= set(
        settings["event_subscriptions"]["bot_events"]
    )
