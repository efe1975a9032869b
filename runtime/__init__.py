"""Machinery both processes run: one-thread SQLite, private files and folders, key files,
PyAV frame decoding for fingerprints. Imports only the kernel (``evidence``), which keeps
the rules and formats these run."""
