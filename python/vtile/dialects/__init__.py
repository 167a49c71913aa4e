"""Python op classes for vtile's dialects, generated from their .td files."""
