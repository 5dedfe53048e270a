"""Reading results: summary, views, compare, recommend, report, plot and charts."""
