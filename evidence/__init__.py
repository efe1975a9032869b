"""The shared kernel: digests, chunk trees, manifests, signatures, case numbers, wire
constants and errors. Imports nothing else of ours."""
