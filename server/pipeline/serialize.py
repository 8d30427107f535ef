"""Responses from rows without per-row validation, and JSON with orjson.

A response model such as `MessageOut` is a projection of a generated row model
(`gen.models.Message`): the same fields, with the same types, fewer of them.
asyncpg and the generated code have typed every value already, so validating
each row again only costs time (bench/rows_bench.py measures it).

    _message_out = projection(MessageOut, Message)   # checked once, at import
    _message_out(row)                                 # a MessageOut, no validation

`projection` refuses, when the module is imported, a response model whose fields
are not the row model's (same name, same annotation) or that validates or
serializes anything itself (validators, serializers, computed fields, aliases,
excluded fields): for those the response must go through pydantic.

`dump_json(model)` writes such "plain" models with orjson, straight from their
fields, and any other model with pydantic's own serializer; both write the same
bytes (tests/pipeline/test_serialize.py compares them). The OpenAPI document is
still generated from the models.
"""

from __future__ import annotations

import datetime
import enum
import types
import typing
from collections.abc import Callable
from typing import Any, TypeVar
from uuid import UUID

import orjson
from pydantic import BaseModel, JsonValue

OutT = TypeVar("OutT", bound=BaseModel)

_setattr = object.__setattr__  # pydantic models refuse plain assignment of their internals
_SCALARS: frozenset[Any] = frozenset(
    {type(None), str, int, bool, float, UUID, datetime.datetime, datetime.date}
)
_PLAIN: dict[type[BaseModel], bool] = {}
_OPTIONS = orjson.OPT_UTC_Z  # pydantic writes UTC as Z, orjson as +00:00 unless told


def is_plain(model: type[BaseModel]) -> bool:
    """Whether orjson writes what pydantic would from the model's fields as they are (cached per class)."""
    known = _PLAIN.get(model)
    if known is None:
        _PLAIN[model] = False  # a model that refers to itself is not plain
        known = _PLAIN[model] = _check_plain(model)
    return known


def _check_plain(model: type[BaseModel]) -> bool:
    decorators = model.__pydantic_decorators__
    if any(
        (
            decorators.validators,
            decorators.field_validators,
            decorators.root_validators,
            decorators.model_validators,
            decorators.field_serializers,
            decorators.model_serializers,
            decorators.computed_fields,
        )
    ):
        return False
    if model.model_config.get("extra") == "allow" or model.model_config.get("alias_generator") is not None:
        return False
    for field in model.model_fields.values():
        if field.alias is not None or field.serialization_alias is not None or field.exclude:
            return False
        if not _plain_type(field.annotation):
            return False
    return True


def _plain_type(hint: Any) -> bool:
    if hint in _SCALARS or hint is JsonValue:
        return True
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return issubclass(hint, str)
    if isinstance(hint, type) and issubclass(hint, BaseModel):
        return is_plain(hint)
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is typing.Literal:
        return all(isinstance(arg, str) for arg in args)
    if origin in (typing.Union, types.UnionType, list):
        return all(_plain_type(arg) for arg in args)
    if origin is dict:
        return len(args) == 2 and args[0] is str and _plain_type(args[1])
    return False


def _default(value: Any) -> Any:
    if isinstance(value, UUID):  # asyncpg's UUID is a subclass orjson does not write itself
        return str(value)
    if isinstance(value, BaseModel):
        if is_plain(type(value)):
            return value.__dict__
        return value.model_dump(mode="json")
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


_LISTS: dict[type[BaseModel], tuple[str, ...]] = {}


def _model_lists(model: type[BaseModel]) -> tuple[str, ...]:
    """The fields of a plain model that hold lists of plain models (a page's items)."""
    found = _LISTS.get(model)
    if found is None:
        found = _LISTS[model] = tuple(
            name
            for name, field in model.model_fields.items()
            if typing.get_origin(field.annotation) is list
            and isinstance(arg := typing.get_args(field.annotation)[0], type)
            and issubclass(arg, BaseModel)
        )
    return found


def dump_json(model: BaseModel) -> bytes:
    """The model as JSON, byte for byte what `model.model_dump_json()` writes."""
    cls = type(model)
    if not is_plain(cls):
        return model.model_dump_json().encode()
    document = model.__dict__
    lists = _model_lists(cls)
    if lists:  # the items' fields directly: no call back into Python per item
        document = dict(document)
        for name in lists:
            document[name] = [item.__dict__ if type(item) in _PLAIN else item for item in document[name]]
    return orjson.dumps(document, default=_default, option=_OPTIONS)


def projection(out: type[OutT], row: type[BaseModel]) -> Callable[[BaseModel], OutT]:
    """A function making `out` models from `row` models without validation; TypeError (at import) unless
    every field of `out` is a field of `row` with the same annotation and `out` is plain."""
    fields = tuple(out.model_fields)
    for name in fields:
        have = row.model_fields.get(name)
        if have is None or have.annotation != out.model_fields[name].annotation:
            raise TypeError(f"{out.__name__}.{name} is not {row.__name__}.{name}: build it with model_validate")
    if not is_plain(out):
        raise TypeError(f"{out.__name__} validates or serializes values itself: build it with model_validate")
    new = out.__new__
    field_set = frozenset(fields)
    dropped = tuple(name for name in row.model_fields if name not in field_set)
    in_order = [name for name in row.model_fields if name in field_set] == list(fields)

    def convert(source: BaseModel) -> OutT:
        values = source.__dict__
        instance = new(out)
        if in_order:  # the row's fields less the hidden ones: copy, then drop them
            values = values.copy()
            for name in dropped:
                del values[name]
        else:
            values = {name: values[name] for name in fields}
        _setattr(instance, "__dict__", values)
        _setattr(instance, "__pydantic_fields_set__", set(field_set))
        _setattr(instance, "__pydantic_extra__", None)
        _setattr(instance, "__pydantic_private__", None)
        return instance

    return convert


def extend(out: type[OutT], base: BaseModel, **values: Any) -> OutT:
    """An `out` model (a plain subclass of base's class) from base's fields and further values, without
    validation: the values must be of the types `out` declares."""
    if not is_plain(out) or set(out.model_fields) != set(base.__dict__) | set(values):
        raise TypeError(f"{out.__name__} is not {type(base).__name__} plus {sorted(values)}")
    instance = out.__new__(out)
    _setattr(instance, "__dict__", {**base.__dict__, **values})
    _setattr(instance, "__pydantic_fields_set__", set(out.model_fields))
    _setattr(instance, "__pydantic_extra__", None)
    _setattr(instance, "__pydantic_private__", None)
    return instance
