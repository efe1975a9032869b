"""Evidence packages: export a case or recordings with everything a court needs to verify
them offline, and import another agency's (docs/evidence-package.md)."""
