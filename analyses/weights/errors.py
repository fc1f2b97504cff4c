"""Errors of the weight checks a user can fix; the CLI prints each as one line with the fix."""

from pipelines.errors import HubmineError


class WeightCheckError(HubmineError):
    """A weight check cannot run as asked; the message says what to change."""


class DeviceUnavailable(WeightCheckError):
    """CUDA was asked for on a machine without it."""


class HubUnreachable(WeightCheckError):
    """The hub endpoint does not answer."""


class CheckpointNotFound(WeightCheckError):
    """A repo, revision or file named for a weight check does not exist."""
