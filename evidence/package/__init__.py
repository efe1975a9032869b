"""Evidence packages (docs/evidence-package.md): the verifier that is also the package's
``verify.py`` (``verify_package``, copied verbatim, so it imports nothing of Liuhen), and
the bilingual README-VERIFY.md that goes with it."""

from __future__ import annotations

from pathlib import Path

__all__ = ["README_VERIFY", "VERIFY_PY"]

VERIFY_PY = Path(__file__).with_name("verify_package.py")
README_VERIFY = Path(__file__).with_name("README-VERIFY.md")
