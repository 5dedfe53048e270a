"""Tests of benchmarks/cli (formats/ for formats)."""
