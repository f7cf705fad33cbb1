"""The terminal views: a benchmark run, an inventory and a recommendation as text."""
