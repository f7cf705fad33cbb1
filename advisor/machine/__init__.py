"""Hardware and operating-system inventory, read in the advisor's own process."""
