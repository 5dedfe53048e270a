"""Running the suite: the runner and its worker processes, assembly, results files, progress."""
