"""What OpenAPI 3 itself fixes, read by the diff, the runner, the mock and the snapshot store alike."""

OPERATION_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
"""The keys of a Path Item that hold operations, in the order the OpenAPI specification lists them."""
