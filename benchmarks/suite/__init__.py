"""What pytest-benchmark runs: the parametrized test, its plugin, cases, operations, measurement."""
