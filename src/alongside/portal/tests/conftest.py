"""The portal's tests use the directory's small test directory (`little`)."""

from alongside.directory.tests.conftest import TODAY, little  # noqa: F401
