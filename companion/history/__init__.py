"""Pure computations on the daily series: trend, recalibration, the summary, charts and tips."""
