"""One module per command noun, loaded only when that command runs."""
