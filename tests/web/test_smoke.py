"""The app answers, and refuses the anonymous."""

from __future__ import annotations

from tests.web.conftest import Portfolio


def test_api_needs_a_token_and_answers_problem_json(app: object, portfolio: Portfolio) -> None:
    anonymous = portfolio.client(app)
    response = anonymous.get("/api/v1/use-cases")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["title"] == "Not signed in"
    listed = portfolio.client(app, "viewer").get("/api/v1/use-cases").json()
    assert listed["total"] == 2 and listed["items"][0]["key"] == portfolio.key


def test_an_oversized_request_is_refused_before_it_is_read(app: object, portfolio: Portfolio) -> None:
    from pilotgate.web.security import max_request_bytes

    client = portfolio.client(app)
    huge = str(max_request_bytes() + 1)
    response = client.post(
        "/login", content=b"x" * 10, headers={"content-length": huge, "content-type": "multipart/form-data; boundary=x"}
    )
    assert response.status_code == 413 and response.headers["content-type"] == "application/problem+json"
    assert "content-security-policy" in response.headers
