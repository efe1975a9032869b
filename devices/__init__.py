"""Capture sources: dock bays, interview/hearing-room recorders, and a simulator."""
