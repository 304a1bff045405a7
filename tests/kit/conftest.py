"""The runner tests' fixtures (a CLI runner, the broken API, a real build), for the kit's tests."""

from tests.runner.conftest import broken_api, build_28168, cli  # noqa: F401
