"""Examples of building vtile IR from Python."""
