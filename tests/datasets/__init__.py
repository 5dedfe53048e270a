"""Tests of benchmarks/datasets (formats/ for formats)."""
