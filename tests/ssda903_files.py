"""903 returns built from the specification (FORMATS.md), as CSV files or the XML form."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from collections.abc import Sequence
from pathlib import Path

from missing_app.core.exchange.ssda903.tables import COLUMNS, EPISODES, HEADER, MISSING
from tests.conftest import write_csv

Row = dict[str, str]
A, B = "1001", "1002"
A_DOB, B_DOB = "01/02/2010", "15/08/2008"


def child(ref: str, dob: str, sex: str = "F", **other: str) -> Row:
    """A Header row."""
    return {"CHILD": ref, "SEX": sex, "DOB": dob, "ETHNIC": "WBRI", **other}


def episode(ref: str, decom: str, dec: str = "", urn: str = "SC100001", place: str = "K2") -> Row:
    """An Episodes row: a placement from DECOM to DEC in the home with that URN."""
    return {"CHILD": ref, "DECOM": decom, "DEC": dec, "PLACE": place, "URN": urn, "LS": "C2"}


def period(ref: str, dob: str, start: str, end: str = "", kind: str = "M") -> Row:
    """A Missing row."""
    return {"CHILD": ref, "DOB": dob, "MISSING": kind, "MIS_START": start, "MIS_END": end}


def write_csvs(
    folder: Path,
    header: Sequence[Row] | None = None,
    episodes: Sequence[Row] | None = None,
    missing: Sequence[Row] | None = None,
) -> Path:
    """Write header.csv, episodes.csv and missing.csv (each table given) with every column."""
    folder.mkdir(parents=True, exist_ok=True)
    tables = {HEADER: header, EPISODES: episodes, MISSING: missing}
    for name, rows in tables.items():
        if rows is not None:
            full = [{column: row.get(column, "") for column in COLUMNS[name]} for row in rows]
            write_csv(folder / f"{name.lower()}.csv", full, COLUMNS[name])
    return folder


def write_xml(
    path: Path,
    header: Sequence[Row],
    episodes: Sequence[Row] = (),
    missing: Sequence[Row] = (),
    *,
    iso_dates: bool = False,
) -> Path:
    """The XML form: per child, CHILDID, a HEADER holding its AMISSING periods, and EPISODEs.
    AMISSING elements come child by child, in the order of `header`."""
    root = ElementTree.Element("Message")
    ElementTree.SubElement(ElementTree.SubElement(root, "Header"), "Collection").text = "SSDA903"
    children = ElementTree.SubElement(root, "Children")
    for row in header:
        ref = row["CHILD"]
        element = ElementTree.SubElement(children, "Child")
        ElementTree.SubElement(element, "CHILDID").text = ref
        head = ElementTree.SubElement(element, "HEADER")
        for column in COLUMNS[HEADER][1:]:
            ElementTree.SubElement(head, column).text = _date(row.get(column, ""), iso_dates)
        for item in (m for m in missing if m["CHILD"] == ref):
            amissing = ElementTree.SubElement(head, "AMISSING")
            for column in ("MISSING", "MIS_START", "MIS_END"):
                ElementTree.SubElement(amissing, column).text = _date(item[column], iso_dates)
        for item in (e for e in episodes if e["CHILD"] == ref):
            node = ElementTree.SubElement(element, "EPISODE")
            for column in COLUMNS[EPISODES][1:]:
                tag = "PL" if column == "PLACE" else column
                ElementTree.SubElement(node, tag).text = _date(item.get(column, ""), iso_dates)
    ElementTree.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
    return path


def _date(text: str, iso: bool) -> str:
    """dd/mm/YYYY as YYYY-MM-DD (xs:date) when asked; anything else as it is."""
    parts = text.split("/")
    if iso and len(parts) == 3 and len(parts[2]) == 4:
        return f"{parts[2]}-{parts[1]}-{parts[0]}"
    return text


def valid_world(
    first_year: int = 2024, sex_a: str = "F", sex_b: str = "M"
) -> tuple[list[Row], list[Row], list[Row]]:
    """A return for the collection year starting in April `first_year` that breaks no rule:
    A in one children's home all year (a change of legal status on 1 June starts a new
    Episodes row there), B in a secure home, then with foster carers (no URN)."""
    this, next_ = str(first_year), str(first_year + 1)
    header = [child(A, A_DOB, sex_a), child(B, B_DOB, sex_b)]
    episodes = [
        episode(A, f"01/01/{this}", f"01/06/{this}", urn="SC100001", place="K2"),
        episode(A, f"01/06/{this}", urn="SC100001", place="K2"),
        episode(B, f"01/03/{this}", f"01/09/{this}", urn="SC100002", place="K1"),
        episode(B, f"01/09/{this}", urn="XXXXXXX", place="U1"),
    ]
    missing = [
        period(A, A_DOB, f"10/05/{this}", f"12/05/{this}", "M"),
        period(A, A_DOB, f"20/12/{this}", f"20/12/{this}", "A"),
        period(A, A_DOB, f"10/02/{next_}", "", "M"),
        period(B, B_DOB, f"01/07/{this}", f"03/07/{this}", "M"),
    ]
    return header, episodes, missing
