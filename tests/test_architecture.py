"""The house's arrows point down, as style.md draws them; import-linter checks it."""

import subprocess
import sys
from pathlib import Path


def test_import_contracts_are_kept():
    linter = Path(sys.executable).parent / "lint-imports"  # the venv's, activated or not
    assert linter.exists(), "import-linter is a test dependency"
    result = subprocess.run(
        [str(linter)], cwd=Path(__file__).parent.parent, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout
