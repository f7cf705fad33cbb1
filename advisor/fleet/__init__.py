"""Several machines: records compared side by side, and runs on a cluster through its scheduler."""
