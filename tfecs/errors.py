"""Errors are values: every failure the user can cause is a TfecsError with one line to show."""


class TfecsError(Exception):
    """A failure reported to the user as one line on stderr and exit code 2."""

    def __init__(self, message: str, *, where: str | None = None):
        self.message = message
        self.where = where
        super().__init__(f"{where}: {message}" if where else message)


class InputError(TfecsError):
    """The input cannot be read as a Terraform plan or configuration."""
