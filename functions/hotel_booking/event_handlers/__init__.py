"""Lambda entry points fed by events: the stream publisher and the bus consumers."""
