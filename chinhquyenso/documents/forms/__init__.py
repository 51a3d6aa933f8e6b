"""Forms of the documents pages, one module per side (incoming, outgoing)."""
