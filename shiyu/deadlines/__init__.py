"""Holding units to their word: deadline colours, the periodic sweep that escalates
overdue tickets (督办) and notifies units, and the holiday calendar deadlines count on."""
