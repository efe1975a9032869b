"""The server's books: blob stores and index backends, each behind a small interface."""
