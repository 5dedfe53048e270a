"""Tests of benchmarks/run (formats/ for formats)."""
