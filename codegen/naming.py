"""Python names for SQL names: classes, functions, constants, fields, enum members."""

from __future__ import annotations

import keyword
import re

# Plural table names whose singular no suffix rule finds.
IRREGULAR_PLURALS = {
    "aliases": "alias",
    "analyses": "analysis",
    "appendices": "appendix",
    "atlases": "atlas",
    "biases": "bias",
    "caches": "cache",
    "canvases": "canvas",
    "children": "child",
    "cookies": "cookie",
    "crises": "crisis",
    "criteria": "criterion",
    "diagnoses": "diagnosis",
    "feet": "foot",
    "gases": "gas",
    "geese": "goose",
    "gurus": "guru",
    "halves": "half",
    "headaches": "headache",
    "hypotheses": "hypothesis",
    "indices": "index",
    "knives": "knife",
    "leaves": "leaf",
    "lives": "life",
    "matrices": "matrix",
    "men": "man",
    "menus": "menu",
    "mice": "mouse",
    "movies": "movie",
    "niches": "niche",
    "people": "person",
    "pies": "pie",
    "quizzes": "quiz",
    "selves": "self",
    "shelves": "shelf",
    "shoes": "shoe",
    "teeth": "tooth",
    "theses": "thesis",
    "ties": "tie",
    "toes": "toe",
    "vertices": "vertex",
    "wives": "wife",
    "wolves": "wolf",
    "women": "woman",
}

# Words that are the same in singular and plural, or already singular though
# they end in "s".
UNCHANGED = {
    "alias",
    "analytics",
    "atlas",
    "bias",
    "canvas",
    "chaos",
    "data",
    "equipment",
    "feedback",
    "gas",
    "information",
    "knowledge",
    "kudos",
    "media",
    "metadata",
    "news",
    "series",
    "sheep",
    "species",
    "staff",
}

# "-uses" is "-us" + "es" after these letters (statuses, bonuses, viruses),
# but "-use" + "s" otherwise (causes, houses, pauses).
_US_PLURAL_STEMS = ("tuses", "nuses", "puses", "ruses", "suses")


def singular(word: str) -> str:
    """The singular of an English plural noun (lower case); other words unchanged."""
    if word in UNCHANGED:
        return word
    if word in IRREGULAR_PLURALS:
        return IRREGULAR_PLURALS[word]
    if len(word) > 3 and word.endswith("ies") and word[-4] not in "aeiou":
        return word[:-3] + "y"  # memories, policies, entries
    if word.endswith(("sses", "shes", "ches", "xes", "zzes")):
        return word[:-2]  # addresses, hashes, batches, boxes, buzzes
    if word.endswith(_US_PLURAL_STEMS) or word == "buses":
        return word[:-2]  # statuses, bonuses, viruses
    if word.endswith(("ss", "us", "sis", "xis")):
        return word  # address, status, analysis, axis: already singular
    if len(word) > 1 and word.endswith("s"):
        return word[:-1]  # agents, api_keys, files, roles, types
    return word


def words(name: str) -> list[str]:
    """The words of a snake_case, kebab-case, camelCase or PascalCase name, lower case."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    spaced = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1 \2", spaced)
    return [w.lower() for w in re.split(r"[^A-Za-z0-9]+", spaced) if w]


def pascal(name: str) -> str:
    """PascalCase of a name: organization_memberships -> OrganizationMemberships.

    A name that is PascalCase already (a query name, `GetAPIKey`) stays as written.
    """
    if re.fullmatch(r"[A-Z][A-Za-z0-9]*", name):
        return name
    result = "".join(w[:1].upper() + w[1:] for w in words(name))
    if not result:
        raise ValueError(f"no class name can be made from {name!r}")
    return result if not result[0].isdigit() else "T" + result


def singular_pascal(name: str) -> str:
    """The class name for a table: organization_memberships -> OrganizationMembership."""
    parts = words(name)
    if parts:
        parts[-1] = singular(parts[-1])
    return pascal("_".join(parts))


def snake(name: str) -> str:
    """snake_case of a name: GetOrganizationByClerkId -> get_organization_by_clerk_id."""
    return "_".join(words(name))


def upper_snake(name: str) -> str:
    """UPPER_SNAKE_CASE of a name: GetAgent -> GET_AGENT."""
    return snake(name).upper()


def identifier(name: str, *, fallback: str) -> str:
    """A valid Python identifier close to name (keywords get a trailing underscore).

    Characters that cannot appear in an identifier become underscores; a name
    with nothing usable left (PostgreSQL's "?column?") becomes fallback.
    """
    ident = re.sub(r"\W+", "_", name, flags=re.ASCII).strip("_")
    if ident.lower() == "column" and "?" in name:
        ident = ""
    if not ident:
        return fallback
    if ident[0].isdigit():
        ident = f"{fallback}_{ident}"
    if keyword.iskeyword(ident):
        ident += "_"
    return ident


def enum_member(value: str) -> str:
    """The member name for an enum value: action_item -> ACTION_ITEM, org:admin -> ORG_ADMIN."""
    ident = re.sub(r"\W+", "_", value, flags=re.ASCII).strip("_").upper()
    if not ident or ident[0].isdigit():
        ident = "VALUE_" + ident if ident else "EMPTY"
    return ident


def unique(name: str, taken: set[str]) -> str:
    """name, or name_2, name_3, ... whichever is not in taken; the result is added to taken."""
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{name}_{n}"
    taken.add(candidate)
    return candidate
