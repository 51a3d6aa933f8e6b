"""Forms of the dossier pages, one module per audience: ``citizen`` and ``staff``."""
