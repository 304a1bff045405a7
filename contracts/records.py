"""``@record``: a class of annotated fields as a named tuple, like ``typing.NamedTuple`` but cheap.

``typing.NamedTuple`` costs importing ``typing`` and checking every annotation as a forward
reference: a few milliseconds of each command-line call, half of what ``diff`` spends on its own
result types. ``record`` builds the same tuple class from ``collections.namedtuple``.
"""

from __future__ import annotations

from collections import namedtuple

_CLASS_ONLY = ("__dict__", "__weakref__", "__annotations__")


def record(cls: type) -> type:
    """``cls`` as a named tuple: its annotated names are the fields (in order), their values the
    defaults; methods, properties and the docstring stay."""
    fields = list(cls.__dict__.get("__annotations__", {}))
    defaults = [cls.__dict__[name] for name in fields if name in cls.__dict__]
    if any(name not in cls.__dict__ for name in fields[len(fields) - len(defaults) :]):
        raise TypeError(f"{cls.__name__}: fields with a default must come last")
    base = namedtuple(cls.__name__, fields, defaults=defaults, module=cls.__module__)  # type: ignore[misc]
    namespace = {
        key: value for key, value in cls.__dict__.items() if key not in fields and key not in _CLASS_ONLY
    }
    namespace["__slots__"] = ()
    namespace["__annotations__"] = cls.__dict__.get("__annotations__", {})
    return type(cls.__name__, (base,), namespace)
