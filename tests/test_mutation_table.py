"""scripts/mutation.toml, the table the mutation check runs from, stays true to the tree
(a module that moves must take its entry along) and to docs/mutation.md."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).parent.parent
TABLE = tomllib.loads((ROOT / "scripts" / "mutation.toml").read_text())["modules"]


def test_every_module_and_test_the_mutation_table_names_exists():
    named = [path for module, spec in TABLE.items() for path in (module, *spec["tests"])]
    missing = [path for path in named if not (ROOT / path).is_file()]
    assert not missing, f"moved or gone; update scripts/mutation.toml: {missing}"


def test_every_equivalent_mutant_is_listed_in_the_docs_with_its_reason():
    doc = (ROOT / "docs" / "mutation.md").read_text()
    rows = [
        f"| `{module}` | `{entry['before']}` | `{entry['after']}` | {entry['why']} |"
        for module, spec in TABLE.items()
        for entry in spec.get("equivalent", [])
    ]
    assert rows
    missing = [row for row in rows if row not in doc]
    assert not missing, (
        f"not in docs/mutation.md (scripts/mutation --markdown prints them): {missing}"
    )
