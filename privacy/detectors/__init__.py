"""Detectors: each takes a text and returns spans on that text."""
