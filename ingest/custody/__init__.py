"""What is kept and what it proves: registering manifests (with their chain and media
notes), verification policies, re-verification, the custodian's view, flags."""
