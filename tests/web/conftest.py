"""What the page tests share: a client signed in as one of the test users."""
import pytest


@pytest.fixture
def as_user(client, users):
    """as_user("handler") -> the client, signed in as that user."""
    def sign_in(username):
        client.force_login(getattr(users, username))
        return client
    return sign_in
