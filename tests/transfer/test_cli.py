"""``liuhen export``, ``liuhen verify-package`` and ``liuhen import-package``: a person
exports a case through the API into a folder and its archive, checks it offline, and a
person of another agency imports it into their server, once."""

from __future__ import annotations

from tests.builders import CASE
from tests.cli_people import Liuhen
from tests.transfer.conftest import PURPOSE, stored_video


async def test_export_verify_and_import_from_the_command_line(
    server, second, liuhen, tmp_path, capsys
):
    recording = await stored_video(server, tmp_path)
    await liuhen.as_person("wang", "custodian")
    out = tmp_path / "案卷包"
    code, said, err = await liuhen("export", "case", CASE, "--purpose", PURPOSE, "--out", str(out))
    assert code == 0, err
    assert "logged as entry" in said
    sha = recording.original.manifest.sha256.hex
    assert (out / "originals" / sha).read_bytes() == recording.data
    assert (tmp_path / "案卷包.tar").is_file()

    code, said, _ = await liuhen("verify-package", str(out))
    assert code == 0 and said.count("PASS") == 9

    again, _, err = await liuhen("export", "case", CASE, "--purpose", PURPOSE, "--out", str(out))
    assert again == 2 and "exists already" in err

    other = Liuhen(second, liuhen.config, capsys)
    await other.as_person("zhao", "custodian")
    code, said, err = await other("import-package", str(tmp_path / "案卷包.tar"))
    assert code == 0, err
    assert "received: 2 objects" in said and "sent by wang" in said
    code, said, _ = await other("import-package", str(tmp_path / "案卷包.tar"))
    assert code == 0 and "received before" in said


async def test_who_may_not_export_is_told_so(server, liuhen, tmp_path):
    await stored_video(server, tmp_path)
    await liuhen.as_person("auditor-1", "auditor")
    out = tmp_path / "pkg"
    code, _, err = await liuhen("export", "case", CASE, "--purpose", PURPOSE, "--out", str(out))
    assert code == 2 and "error [forbidden]" in err
    assert not out.exists() and not (tmp_path / "pkg.tar").exists()
