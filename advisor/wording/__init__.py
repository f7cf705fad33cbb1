"""The words and figures both front-ends show: numbers, ratios, timed cases, durations."""
