"""Server-rendered pages, one module per kind of work (see pages.py for who sees which)."""
