"""Static analysis: finding source files, reading them, and the analyzers that run on them."""
