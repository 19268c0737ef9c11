"""Text analytics for Shiyu in plain Python: no Django, so it can be tested, benchmarked
and reused alone (see DESIGN.md, rule 5)."""
