"""The loopback notification provider, one per test module, reset for each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.notify.provider import SECRET, Provider, running_provider


@pytest.fixture(scope="module")
def shared_provider() -> Iterator[Provider]:
    with running_provider() as provider:
        yield provider


@pytest.fixture
def provider(shared_provider: Provider) -> Provider:
    shared_provider.reset(secret=SECRET)
    return shared_provider
