"""Reading the staff API's answers in tests: the body of a success, or a 4xx in the API's error shape."""


def ok_body(response, status: int = 200):
    assert response.status_code == status, response.content
    return response.json()


def error_body(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert isinstance(body["code"], str) and isinstance(body["detail"], str)
    if code:
        assert body["code"] == code
    return body
