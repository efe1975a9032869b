"""The edge agent: watches dock folders, fingerprints and signs footage, uploads it with
tus, and keeps every file until it holds the server's signed receipt."""
