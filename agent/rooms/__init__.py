"""Interview and hearing rooms: sessions from their controllers, bound to footage."""
