"""The benchmark suite: speed and memory targets, each printed with its measured figure."""
