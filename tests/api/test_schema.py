"""The OpenAPI document is complete and valid; Swagger UI needs no other host."""
import re

import pytest
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db

PATHS = [
    "/api/auth/token/", "/api/tickets/", "/api/tickets/{id}/", "/api/units/", "/api/categories/", "/api/locate/",
    "/api/extensions/{id}/decide/", "/api/attachments/{id}/",
    *[f"/api/tickets/{{id}}/{action}/" for action in (
        "dispatch", "answer", "sign-for", "start", "assist-report", "return", "resolve", "extensions", "callback",
        "reopen", "close", "merge", "invalid", "photos", "category", "similar", "answers", "callback-attempt")],
    "/api/intake/check/", "/api/triage/", "/api/similar/{id}/merge/", "/api/similar/{id}/dismiss/",
    "/api/summons/", "/api/summons/{id}/", "/api/summons/{id}/report/", "/api/summons/{id}/rate/",
    "/api/summons/{id}/close/",
    "/api/alerts/", "/api/alerts/{id}/", "/api/alerts/{id}/acknowledge/", "/api/alerts/{id}/assign/",
    "/api/alerts/{id}/report/", "/api/alerts/{id}/resolve/", "/api/alert-mutes/", "/api/alert-mutes/{id}/unmute/",
    "/api/metrics/rankings/", "/api/metrics/rankings.xlsx", "/api/metrics/priority/",
    "/api/hotspots/", "/api/proactive-tasks/", "/api/proactive-tasks/{id}/", "/api/proactive-tasks/{id}/accept/",
    "/api/proactive-tasks/{id}/complete/", "/api/proactive-tasks/{id}/cancel/",
]


@pytest.fixture
def schema(api):
    response = api().get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def test_schema_is_valid_openapi(schema):
    validate_schema(schema)  # raises on an invalid document
    assert schema["openapi"].startswith("3.")


def test_schema_has_every_path(schema):
    assert set(PATHS) <= set(schema["paths"])
    assert not [p for p in schema["paths"] if p.startswith("/api/") and p not in PATHS]


def test_ticket_actions_document_their_bodies_and_errors(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method != "post" or not path.startswith("/api/tickets/{id}/"):
                continue
            responses = operation["responses"]
            assert {"400", "401", "403", "404", "409", "422"} <= set(responses), path
            conflict = responses["409"]["content"]["application/json"]["schema"]["$ref"]
            assert conflict.endswith("/IllegalTransition")
            if not path.endswith("/sign-for/"):
                assert "requestBody" in operation, path
    callback = schema["paths"]["/api/tickets/{id}/callback/"]["post"]["requestBody"]["content"]
    ref = callback["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert set(schema["components"]["schemas"][ref]["required"]) == {"rating", "resolved"}
    photos = schema["paths"]["/api/tickets/{id}/photos/"]["post"]["requestBody"]["content"]
    assert set(photos) == {"multipart/form-data"}


def test_swagger_ui_is_served_locally(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert sources, html
    assert not [s for s in sources if re.match(r"(https?:)?//", s)], sources
    for source in sources:  # and each of them is really there
        assert client.get(source).status_code == 200, source


def test_swagger_ui_does_not_call_the_online_validator(client):
    html = client.get("/api/docs/").content.decode()
    assert '"validatorUrl": null' in html


def test_the_schema_generates_without_warnings(tmp_path):
    """A warning is a schema that is wrong somewhere: two serializers of one name, say,
    where one body's description silently replaces the other's."""
    from django.core.management import call_command

    call_command("spectacular", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
