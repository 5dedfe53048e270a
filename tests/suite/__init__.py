"""Tests of benchmarks/suite."""
