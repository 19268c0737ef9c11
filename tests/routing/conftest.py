"""Routing tests edit rules, units and gazetteer entries inside transactions that roll
back, and no commit tells the process-wide copies: each test starts and ends with fresh
ones, and compares versions on every call (RECHECK 0) so that its own edits are seen."""
import pytest


@pytest.fixture(autouse=True)
def fresh_tables(monkeypatch):
    from shiyu.geo import locate
    from shiyu.geo.places import forget_places
    from shiyu.routing import selectors

    monkeypatch.setattr(locate, "RECHECK_SECONDS", 0)
    monkeypatch.setattr(selectors, "RECHECK_SECONDS", 0)
    forget_places()
    selectors.forget_rules()
    yield
    forget_places()
    selectors.forget_rules()
