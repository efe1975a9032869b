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
