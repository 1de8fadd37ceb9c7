"""Homeward: missing-from-care work for PCSOs dedicated to children's homes."""

__version__ = "0.1.0"
