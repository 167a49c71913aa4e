import pytest

import vtile


@pytest.fixture
def context():
    return vtile.make_context()
