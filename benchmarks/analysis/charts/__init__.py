"""Chart families behind ``fmtbench plot``; ``analysis.plot.plot_results`` runs them all."""
