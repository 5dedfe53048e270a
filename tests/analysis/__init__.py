"""Tests of benchmarks/analysis (formats/ for formats)."""
