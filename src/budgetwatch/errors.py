"""Typed errors: every failure the user sees names the file and the problem in one line."""


class BudgetwatchError(Exception):
    """Base class; str() is the one-line message shown to the user."""


class InputError(BudgetwatchError):
    """A file that cannot be read as a budget disclosure."""

    def __init__(self, path, problem: str):
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")
