"""Custodians' questions about footage: a room session's timeline, whether a clip comes
from a recording, transcripts the server signs."""
