"""Configuration: TOML, then environment, into typed sections; docs list every option."""

import re
from pathlib import Path

import pytest

from evidence.errors import ConfigError
from liuhen.settings import describe_defaults, load_settings

DOCS = Path(__file__).parent.parent / "docs" / "configuration.md"


def test_defaults_need_no_file():
    settings = load_settings(None, environ={})
    assert settings.server.port == 8740
    assert settings.agent.settle_seconds == 2.0
    assert settings.case_numbers.rule().parse("JSZF-2026-0001")


def test_a_file_then_the_environment(tmp_path):
    config = tmp_path / "liuhen.toml"
    config.write_text(
        '[server]\nport = 9100\ndata_dir = "/srv/liuhen"\n'
        '[agent]\nwatch = ["/dock/bay-1", "/dock/bay-2"]\nsettle_seconds = 3\n'
        '[agent.defaults]\nplace = "执法一大队"\n'
        '[case_numbers]\npatterns = ["X-\\\\d+"]\n'
    )
    settings = load_settings(
        config, environ={"LIUHEN_SERVER__PORT": "9200", "LIUHEN_AGENT__MAX_PARALLEL": "4"}
    )
    assert settings.server.port == 9200
    assert settings.server.data_dir == Path("/srv/liuhen")
    assert settings.agent.watch == (Path("/dock/bay-1"), Path("/dock/bay-2"))
    assert settings.agent.settle_seconds == 3.0
    assert settings.agent.max_parallel == 4
    assert settings.agent.defaults.place == "执法一大队"
    assert settings.case_numbers.rule().parse("X-12").value == "X-12"


@pytest.mark.parametrize(
    ("toml", "environ", "message"),
    [
        ("[server]\nprot = 1\n", {}, "unknown option"),
        ("[sever]\n", {}, "unknown option"),
        ('[server]\nport = "8740"\n', {}, "must be int"),
        ("[server]\nport = true\n", {}, "must be int"),
        ("[agent]\nwatch = 3\n", {}, "must be a list"),
        ("[server\n", {}, "not valid TOML"),
        ("", {"LIUHEN_SERVER__PORTS": "1"}, "names no option"),
        ("", {"LIUHEN_SERVER__PORT": "eighty"}, "must be a number"),
        ("", {"LIUHEN_AGENT__WATCH": "/dock"}, "JSON array"),
        ('[case_numbers]\npatterns = ["("]\n', {}, "case_numbers.patterns"),
    ],
)
def test_mistakes_are_named_not_ignored(tmp_path, toml, environ, message):
    config = tmp_path / "liuhen.toml"
    config.write_text(toml)
    with pytest.raises(ConfigError, match=message):
        load_settings(config, environ=environ)


def test_a_missing_file_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read"):
        load_settings(tmp_path / "nope.toml", environ={})


def test_docs_list_every_option_with_its_default():
    documented = dict(
        re.findall(r"^\| `([a-z0-9_.]+)` \| `(.*)` \|", DOCS.read_text(), re.MULTILINE)
    )
    assert documented == dict(describe_defaults())


@pytest.mark.parametrize(
    ("option", "value"),
    [("max_open_uploads_per_device", "-1"), ("max_reserved_bytes_per_device", "0")],
)
def test_upload_quotas_must_make_sense(option, value):
    with pytest.raises(ConfigError, match=f"server.{option}"):
        load_settings(None, environ={f"LIUHEN_SERVER__{option.upper()}": value})
    paused = load_settings(None, environ={"LIUHEN_SERVER__MAX_OPEN_UPLOADS_PER_DEVICE": "0"})
    assert paused.server.max_open_uploads_per_device == 0


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("user_token_ttl_days", "0"),
        ("user_token_ttl_days", str(10**20)),
        ("device_token_ttl_seconds", "0"),
        ("challenge_ttl_seconds", str(10**30)),
        ("upload_expiry_seconds", "-1"),
        ("sweep_interval_seconds", str(10**12)),
    ],
)
def test_every_lifetime_is_checked_when_settings_load(option, value):
    """Not on first use, where a huge one overflowed a datetime as a traceback."""
    with pytest.raises(ConfigError, match=f"server.{option} must be from 1 to"):
        load_settings(None, environ={f"LIUHEN_SERVER__{option.upper()}": value})


def test_bays_and_rooms_are_tables_and_their_names_are_checked(tmp_path):
    config = tmp_path / "liuhen.toml"
    config.write_text(
        '[[agent.bays]]\nname = "bay-1"\npath = "/media/bay-1"\n'
        '[[agent.rooms]]\nid = "room-1"\nfolder = "/rec/room-1"\n'
    )
    agent = load_settings(config, environ={}).agent
    assert [bay.name for bay in agent.bays] == ["bay-1"]
    assert agent.watched == (*agent.watch, agent.rooms[0].folder, agent.staging_dir)
    from_env = load_settings(
        None, environ={"LIUHEN_AGENT__BAYS": '[{"name": "bay-2", "path": "/media/bay-2"}]'}
    )
    assert [bay.name for bay in from_env.agent.bays] == ["bay-2"]
    for bays in ('[{"name": "a"}, {"name": "a"}]', '[{"name": "../x"}]'):
        with pytest.raises(ConfigError, match=r"agent\.bays"):
            load_settings(None, environ={"LIUHEN_AGENT__BAYS": bays})


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[server.retention]\nclasses = ["permanent = permanent", "short = 3 months"]\n'
         'default = "short"\n', "server.retention: the class 'short' keeps 3 months: less than"),
        ('[server.retention]\nclasses = ["long = 30 years"]\ndefault = "long"\n',
         "server.retention: the class 'permanent' must be there"),
        ('[server.retention]\ndefault = "forever"\n', "server.retention: the default class"),
    ],
)  # fmt: skip
def test_retention_classes_below_the_legal_six_months_are_refused(tmp_path, toml, message):
    config = tmp_path / "liuhen.toml"
    config.write_text(toml)
    with pytest.raises(ConfigError, match=message):
        load_settings(config, environ={})


def test_retention_classes_load_from_the_file(tmp_path):
    config = tmp_path / "liuhen.toml"
    config.write_text(
        '[server.retention]\nclasses = ["permanent = permanent", "year = 1 year"]\n'
        'default = "year"\n'
    )
    rules = load_settings(config, environ={}).server.retention.rules()
    assert rules.default.name == "year"
    assert sorted(rules.classes) == ["permanent", "year"]
