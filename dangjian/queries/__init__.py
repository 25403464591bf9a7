"""The only readers of facts for the engine, in a fixed number of queries."""
