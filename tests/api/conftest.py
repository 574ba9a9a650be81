from collections.abc import AsyncIterator

import httpx
import pytest

from tests.api.journey import load_demo_registry


@pytest.fixture
async def api(client: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    """The app over a database holding the demo registry."""
    await load_demo_registry()
    yield client
