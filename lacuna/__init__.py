"""Lacuna: translation quality assurance that finds what a translation left out."""

__version__ = "0.1.0"
