import pytest

from tests.plan_report.plan_fixture import session_plan


@pytest.fixture(scope="session")
def local_plan(dev_config, tmp_path_factory, request):
    """The dev stack planned on the local emulator with real terraform (see plan_fixture.py)."""
    return session_plan(dev_config, tmp_path_factory, request)
