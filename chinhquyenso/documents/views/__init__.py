"""Officials' documents pages, one module per side (incoming and registers, outgoing)."""
