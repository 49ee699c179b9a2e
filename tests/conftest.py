"""Suite-wide fixtures: a real PostgreSQL for the whole session, a fresh database per test."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.support.postgres import PostgresServer, postgres_bin


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    if postgres_bin() is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL must be installed in CI (make test installs it)")
        pytest.skip("PostgreSQL is not installed; run `make test` to install it")
    with PostgresServer() as server:
        yield server


@pytest.fixture
def pg_url(postgres_server: PostgresServer) -> Iterator[str]:
    name, url = postgres_server.fresh_database()
    yield url
    postgres_server.drop_database(name)


#: Test modules whose cases are long and independent: spread over the workers case by case
#: (every other module runs whole on one worker, so its module-scoped servers start once).
SPLIT_MODULES = frozenset(
    {
        "tests/kiosk/test_gallery.py",
        "tests/kiosk/test_app_screens.py",
        "tests/kiosk/test_kiosk_widgets.py",
        "tests/kiosk/test_passport_screens.py",
    }
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Group the tests for ``pytest -n N --dist loadgroup`` (pytest-xdist, ``make test``).

    There is one pcscd per machine and vpcd's readers have fixed ports, so every test that
    touches them runs on one worker. Without xdist the groups are inert.
    """
    root = config.rootpath
    for item in items:
        module = item.path.relative_to(root).as_posix()
        if "pcscd" in getattr(item, "fixturenames", ()) or module.startswith(
            "tests/devices/smartcard/"
        ):
            group = "pcscd"
        elif module in SPLIT_MODULES:
            continue
        else:
            group = module
        item.add_marker(pytest.mark.xdist_group(group))
