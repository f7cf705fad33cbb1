"""Deployment paths: export the seeded models through each route, reload, compare, time."""
