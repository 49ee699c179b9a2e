"""The throwaway PostgreSQL the suite uses really runs, and only on loopback."""

from __future__ import annotations

import socket

import psycopg
import pytest
from sqlalchemy import create_engine, text

from tests.support.postgres import PostgresServer

pytestmark = pytest.mark.postgres


def test_session_server_answers_on_loopback(postgres_server: PostgresServer) -> None:
    engine = create_engine(postgres_server.url)
    try:
        with engine.connect() as connection:
            assert connection.execute(text("select 1")).scalar_one() == 1
            addresses = connection.execute(text("show listen_addresses")).scalar_one()
            database = connection.execute(text("select current_database()")).scalar_one()
            client = connection.execute(text("select host(inet_server_addr())")).scalar_one()
    finally:
        engine.dispose()
    assert addresses == "127.0.0.1"
    assert database == "antre_test"
    assert client == "127.0.0.1"
    assert postgres_server.url.startswith("postgresql+psycopg://postgres@127.0.0.1:")


def test_each_test_gets_its_own_database(pg_url: str, postgres_server: PostgresServer) -> None:
    name = pg_url.rsplit("/", 1)[1]
    assert name != "antre_test"
    engine = create_engine(pg_url)
    try:
        with engine.begin() as connection:
            connection.execute(text("create table probe (n integer)"))
            connection.execute(text("insert into probe values (1)"))
            assert connection.execute(text("select count(*) from probe")).scalar_one() == 1
    finally:
        engine.dispose()


def test_create_database_helper(postgres_server: PostgresServer) -> None:
    url = postgres_server.create_database("antre_helper_probe")
    try:
        assert url.endswith(f":{postgres_server.port}/antre_helper_probe")
        with psycopg.connect(
            host="127.0.0.1",
            port=postgres_server.port,
            user="postgres",
            dbname="antre_helper_probe",
        ) as connection:
            assert connection.execute("select 1").fetchone() == (1,)
    finally:
        postgres_server.drop_database("antre_helper_probe")


def test_a_server_of_its_own_is_removed_after_use() -> None:
    with PostgresServer(database="lifecycle") as server:
        folder, port = server.folder, server.port
        assert folder.is_dir()
        with psycopg.connect(server.url.replace("+psycopg", "")) as connection:
            assert connection.execute("select current_database()").fetchone() == ("lifecycle",)
    assert not folder.exists()
    with socket.socket() as probe, pytest.raises(OSError):
        probe.settimeout(2)
        probe.connect(("127.0.0.1", port))
