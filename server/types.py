"""The API's shared types: the base of every request model, and the constrained strings and JSON they use.

Request models derive from `Strict` (unknown fields are refused) and the body
parser validates them strictly from JSON (no "5" for 5). Text the database
wants non-blank (CHECK btrim(x) <> '') must hold a character other than a space
(`NON_BLANK`); no text may hold NUL, which PostgreSQL cannot store. JSON objects
and arrays are typed as such (the columns' CHECKs). Resource-specific types live
with their aggregate's models; what more than one aggregate uses lives here.
"""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar
from uuid import UUID

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema
from typing_extensions import TypeAliasType

# Not blank (a character other than space, as the columns' btrim CHECKs want) and no NUL.
NON_BLANK = r"^[^\x00]*[^\x00 ][^\x00]*$"
NO_NUL = r"^[^\x00]*$"
# Control characters and every character a regular expression engine may count as white space, spelled out:
# `\s` differs between pydantic's engine (Rust), JSON Schema's (ECMA 262) and Python's, so a pattern using it
# would not say to clients what the server checks.
SPACE_OR_CONTROL = r"\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"

ItemT = TypeVar("ItemT", bound=BaseModel)


class Strict(BaseModel):
    """A request model: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")


class IdPath(Strict):
    """The path of a resource addressed by its id."""

    id: UUID


class Items(BaseModel, Generic[ItemT]):
    """A short list, whole (no pagination)."""

    items: list[ItemT]


def whole_number(value: object) -> object:
    """5.0 as 5: JSON Schema's integer admits it, strict validation would refuse it."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


class PatternKeys:
    """The JSON Schema of a dict with constrained keys: `propertyNames` (every key must match) and
    `additionalProperties` (the values), not pydantic's `patternProperties`, which lets other keys through."""

    @classmethod
    def __get_pydantic_json_schema__(cls, core: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        schema = handler(core)
        ((pattern, values),) = schema.pop("patternProperties").items()
        return {**schema, "propertyNames": {"pattern": pattern}, "additionalProperties": values}


# Any JSON without NUL (jsonb cannot hold U+0000), described as such for clients and fuzzers.
NoNulText = Annotated[str, Field(pattern=NO_NUL)]
Json = TypeAliasType(
    "Json", "NoNulText | int | float | bool | list[Json] | Annotated[dict[NoNulText, Json], PatternKeys()] | None"
)
JsonObject = Annotated[dict[NoNulText, Json], PatternKeys()]

WholeNumber = BeforeValidator(whole_number)
Name = Annotated[str, Field(min_length=1, max_length=200, pattern=NON_BLANK)]
Label = Annotated[str, Field(min_length=1, max_length=100, pattern=NON_BLANK)]
Title = Annotated[str, Field(min_length=1, max_length=500, pattern=NON_BLANK)]
Description = Annotated[str, Field(max_length=2000, pattern=NO_NUL)]
LongText = Annotated[str, Field(max_length=100_000, pattern=NO_NUL)]
# A URL as RFC 3986 writes it: visible ASCII only (other characters percent-encoded, host names in punycode).
Url = Annotated[str, Field(max_length=2048, pattern=r"^https?://[!-~]+$", examples=["https://cdn.example.com/a.png"])]
