"""An in-process client of the real application over the test database."""

import pytest
from fastapi.testclient import TestClient

from liaison.api.app import create_app


@pytest.fixture
def client(tenants):
    with TestClient(create_app(tenants.engine)) as client:
        yield client
