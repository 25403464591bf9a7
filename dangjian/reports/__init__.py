"""Read models: what the read commands show, built in a fixed number of queries."""
