"""Tests of the formats/ adapters."""
