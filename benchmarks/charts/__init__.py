"""Chart families behind ``fmtbench plot``; ``benchmarks.plot.plot_results`` runs them all."""
