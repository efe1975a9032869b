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
