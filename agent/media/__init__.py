"""Media work on the dock: probing originals, making review copies, fingerprinting them."""
