"""The `dangjian` command line: parse arguments, call the library, render the result."""
