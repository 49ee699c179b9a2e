"""Suite-wide fixtures: a real PostgreSQL for the whole session, a fresh database per test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

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
#: There is one pcscd per machine and vpcd's readers have fixed ports: every test that
#: touches them lives here and runs on one worker.
PCSCD_TESTS = "tests/devices/smartcard/"


def worker_group(nodeid: str) -> str:
    """Which tests must run on the same pytest-xdist worker as this one (``make test``)."""
    module = nodeid.split("::", 1)[0]
    if module.startswith(PCSCD_TESTS):
        return PCSCD_TESTS
    if module in SPLIT_MODULES:
        return nodeid
    return module


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Refuse a test that starts pcscd outside :data:`PCSCD_TESTS` (it could run beside them)."""
    for item in items:
        if "pcscd" in getattr(item, "fixturenames", ()) and not item.nodeid.startswith(PCSCD_TESTS):
            raise pytest.UsageError(f"{item.nodeid} uses pcscd: move it under {PCSCD_TESTS}")


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """``pytest -n N --dist loadgroup``: send each :func:`worker_group` whole to one worker.

    (pytest-xdist's own ``xdist_group`` marks rely on rewriting node ids, which pytest 9 no
    longer allows; grouping by node id here does not.)
    """
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ByWorkerGroup(LoadScopeScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            return worker_group(nodeid)

    return ByWorkerGroup(config, log)
