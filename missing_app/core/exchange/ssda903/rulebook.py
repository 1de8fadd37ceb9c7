"""The Department's rules on missing periods (FORMATS.md): their codes and meanings, and
one failure of one row. Light to import: the checks themselves are in `checks`."""

from __future__ import annotations

from dataclasses import dataclass

# Each rule, in the order of FORMATS.md, with the Department's meaning in brief.
RULES: dict[str, str] = {
    "1004": "The start date of the missing or away period is missing or not a valid date",
    "1005": "The end date of the missing or away period is not a valid date",
    "1006": "The missing type is not M (missing) or A (away without authorisation)",
    "564": "The child was missing or away but the start date is blank",
    "565": "The start date is given but not whether the child was missing or away",
    "566": "The end date is given but not whether the child was missing or away",
    "567": "The period ends before it started",
    "570": "The period starts after the end of the collection year",
    "571": "The period ends before the start or after the end of the collection year",
    "574": "A period starts while the previous one is still open, or the periods overlap",
    "575": "The placement the child went missing from has ended but the period has no end",
    "577": "The period lies outside every period of care of the child",
    "578": "The period starts outside every period of care of the child",
    "581": "The child was not looked after (no Episodes row) on the start date",
    "586": "The period starts on or before the child's date of birth",
    "INT04": "The child is not in the Header table",
    "INT13": "The date of birth differs from the child's date of birth in the Header table",
}
EPISODE_RULES = ("575", "577", "578", "581")
HEADER_RULES = ("INT04", "INT13")


@dataclass(frozen=True)
class Failure:
    """One rule failed by one row of the Missing table."""

    code: str
    child: str
    line: int  # the CSV line (header = 1), or the AMISSING element's position + 1
    message: str
    row: int  # the row's position in the Missing frame checked

    def as_json(self) -> dict[str, object]:
        return {"code": self.code, "child": self.child, "line": self.line, "message": self.message}

    def __str__(self) -> str:
        return f"{self.line}: {self.code} child {self.child}: {self.message}"


def unchecked_rules(*, header: bool, episodes: bool) -> tuple[str, ...]:
    """The rules that cannot run without the Header or the Episodes table."""
    return (() if episodes else EPISODE_RULES) + (() if header else HEADER_RULES)
