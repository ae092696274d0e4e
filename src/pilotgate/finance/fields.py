"""Field readers for case validation: each raises InvalidInput naming the field's path and the fix."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from pilotgate.errors import InvalidInput

MAX_AMOUNT = 1e12


def mapping(value: Any, path: str, keys: Sequence[str]) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise InvalidInput(path or "case", f"must be a mapping of {', '.join(keys)}")
    unknown = [str(k) for k in value if k not in keys]
    if unknown:
        raise InvalidInput(join(path, unknown[0]), f"is not a known field; expected one of {', '.join(keys)}")
    return value


def join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def number(
    data: Mapping[str, Any],
    key: str,
    path: str,
    *,
    default: float | None = None,
    minimum: float | None = 0.0,
    maximum: float = MAX_AMOUNT,
    integer: bool = False,
    example: str = "",
) -> float:
    where = join(path, key)
    value = data.get(key)
    if value is None:
        if default is not None:
            return default
        hint = f", e.g. {example}" if example else ""
        raise InvalidInput(where, f"is missing; give a number{hint}")
    if isinstance(value, bool):
        raise InvalidInput(where, f"{value!r} is not a number")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidInput(where, f"{value!r} is not a number") from None
    if not math.isfinite(number):
        raise InvalidInput(where, f"{value!r} is not a finite number")
    if integer and number != int(number):
        raise InvalidInput(where, f"{value!r} is not a whole number of months")
    if minimum is not None and number < minimum:
        what = "negative" if minimum == 0 else f"below {minimum:g}"
        raise InvalidInput(where, f"{number:g} is {what}; it must be at least {minimum:g}")
    if number > maximum:
        raise InvalidInput(where, f"{number:g} is above the largest value allowed, {maximum:g}")
    return number


def text(data: Mapping[str, Any], key: str, path: str, *, default: str = "", limit: int = 200) -> str:
    value = data.get(key, default)
    if value is None:
        value = default
    if not isinstance(value, str):
        raise InvalidInput(join(path, key), f"{value!r} is not text")
    value = value.strip()
    if len(value) > limit:
        raise InvalidInput(join(path, key), f"is {len(value)} characters long; at most {limit} are allowed")
    return value


def choice(data: Mapping[str, Any], key: str, path: str, choices: Sequence[str], default: str | None = None) -> str:
    value = text(data, key, path, default=default or "").lower()
    if not value:
        raise InvalidInput(join(path, key), f"is missing; one of {', '.join(choices)}")
    if value not in choices:
        raise InvalidInput(join(path, key), f"{value!r} is not one of {', '.join(choices)}")
    return value


def items(data: Mapping[str, Any], key: str, *, required: bool, limit: int = 50) -> list[Any]:
    value = data.get(key)
    if value is None:
        if required:
            raise InvalidInput(key, "is missing; give a list (see `pilotgate case template`)")
        return []
    if not isinstance(value, list):
        raise InvalidInput(key, "must be a list")
    if required and not value:
        raise InvalidInput(key, "is empty; a business case needs at least one")
    if len(value) > limit:
        raise InvalidInput(key, f"has {len(value)} entries; at most {limit} are allowed")
    return value
