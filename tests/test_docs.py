"""The docs stay true to the code."""

from pathlib import Path

from evidence import errors

DOCS = Path(__file__).parent.parent / "docs"


def test_every_error_code_is_documented_in_the_protocol():
    protocol = (DOCS / "protocol.md").read_text()
    codes = {
        getattr(errors, name).code
        for name in errors.__all__
        if isinstance(getattr(errors, name), type)
    }
    codes.add("bad_sidecar")
    missing = sorted(code for code in codes if f"`{code}`" not in protocol)
    assert not missing, f"undocumented error codes: {missing}"


def test_the_manifest_example_is_the_golden_manifest():
    import json

    golden = json.loads((Path(__file__).parent / "golden" / "manifest-v1.json").read_bytes())
    text = (DOCS / "manifest.md").read_text()
    example = text.split("```json\n", 1)[1].split("```", 1)[0]
    assert json.loads(example) == golden


def test_the_documented_receipt_layout_is_the_receipt():
    import json
    from datetime import UTC, datetime

    from evidence.digest import Sha256
    from evidence.identifiers import DeviceId, EvidenceId, Role
    from evidence.receipt import Receipt

    text = (DOCS / "protocol.md").read_text()
    documented = json.loads(
        text.split("Its layout,", 1)[1].split("```json\n", 1)[1].split("```")[0]
    )
    digest = Sha256.of(b"x")
    receipt = Receipt(
        EvidenceId("0b7f4f9e-3c1a-4d2e-9a55-1f2e3d4c5b6a"),
        Role.ORIGINAL,
        DeviceId("dock-sjz-01"),
        1,
        digest,
        1,
        digest,
        digest,
        "local",
        "ab/cd",
        datetime.now(UTC),
        "0" * 64,
    )
    actual = json.loads(receipt.to_bytes())

    def shape(value):
        return {k: shape(v) for k, v in value.items()} if isinstance(value, dict) else None

    assert shape(documented) == shape(actual)
    assert (documented["type"], documented["version"]) == (actual["type"], actual["version"])


README = Path(__file__).parent.parent / "README.md"
# README commands the test cannot run as they stand, and why.
NOT_RUN = {
    "ingest serve": "runs until stopped",
    "agent run": "runs until stopped",
    "agent check": "needs the server running; tests/agent/test_agent_check.py runs it",
    "acts import": "needs the case system's CSV",
    "recordings match": "needs a clip",
}


def _readme_commands(section: str) -> list[list[str]]:
    """The ``liuhen`` command lines of a README section's code blocks, as argv."""
    import shlex

    text = README.read_text().split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    blocks = text.split("```sh\n")[1:]
    lines = [line for block in blocks for line in block.split("```", 1)[0].splitlines()]
    return [shlex.split(line, comments=True) for line in lines if line.startswith("liuhen ")]


def _one(commands: list[list[str]], *words: str) -> list[str]:
    [found] = [argv for argv in commands if " ".join(words) in " ".join(argv)]
    return found


def test_the_readme_steps_for_running_it_for_real_work_as_written(tmp_path, monkeypatch, capsys):
    """keys generate --device prints the register command the README shows, with the path
    it wrote; that command and the README's own register the dock; the rest runs."""
    import shutil

    from liuhen.cli import main

    commands = _readme_commands("Running it for real")
    register = _one(commands, "device register")
    device_id = register[register.index("register") + 1]
    server, dock = tmp_path / "server-host", tmp_path / "dock"
    server.mkdir()
    dock.mkdir()
    (server / "liuhen.toml").write_text('[server]\ndata_dir = "data"\n')
    (dock / "dock.toml").write_text(f'[agent]\ndevice_id = "{device_id}"\ndata_dir = "data"\n')

    monkeypatch.chdir(dock)
    assert main(_one(commands, "keys generate --device")[1:]) == 0
    printed = [line.strip() for line in capsys.readouterr().out.splitlines()][-1]
    argv = printed.split()
    public = Path(argv[-1])
    assert public == dock / "data" / "keys" / "device.pub.pem" and public.is_file()
    assert argv[:-1] == register[:-1] and public.name == register[-1], (printed, register)

    monkeypatch.chdir(server)
    shutil.copy(public, server / register[-1])  # "copy the public key there"
    published = Path(__file__).parent / "data" / "published"  # the agency's own tables
    shutil.copy(published / "catalogue_ningxia_shape.xlsx", server / "清单.xlsx")
    shutil.copy(published / "officers.xlsx", server / "名册.xlsx")
    assert main(register[1:]) == 0
    assert main(["--config", "liuhen.toml", "device", "list"]) == 0
    assert capsys.readouterr().out.startswith(f"registered {device_id}\n{device_id}\tactive")
    assert main(argv[1:]) == 2, "the printed command names the same dock, registered once"
    assert "already" in capsys.readouterr().err

    ran = 0
    for argv in commands:
        if argv in (register, _one(commands, "keys generate --device")):
            continue
        line = " ".join(argv)
        if any(word in line for word in NOT_RUN) or "<" in line:
            continue
        monkeypatch.chdir(dock if "dock.toml" in argv else server)
        assert main(argv[1:]) == 0, (line, capsys.readouterr())
        ran += 1
    assert ran >= 4


def test_the_readme_test_footage_commands_make_what_they_say(tmp_path, monkeypatch, capsys):
    from agent.media.probe import probe
    from liuhen.cli import main

    monkeypatch.chdir(tmp_path)
    commands = _readme_commands("Test footage without writing Python")
    assert len(commands) == 3
    for argv in commands:
        assert main(argv[1:]) == 0, argv
    made = capsys.readouterr().out
    files = sorted(p for p in (tmp_path / "liuhen-data" / "dock").rglob("*") if p.suffix != ".json")
    clips = [p for p in files if p.is_file()]
    assert len(clips) == 7
    assert all(str(clip.relative_to(tmp_path)) in made for clip in clips)
    broken = [clip for clip in clips if not probe(clip).decodable]
    assert len(broken) == 1 and "broken on purpose: truncated" in made
    assert all(clip.with_suffix(".json").is_file() for clip in clips)
