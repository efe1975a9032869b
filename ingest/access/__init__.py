"""Who is calling: devices by challenge and signature, people by API token; registering
devices and people. Takes token strings, never requests."""
