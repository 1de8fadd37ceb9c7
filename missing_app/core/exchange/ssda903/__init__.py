"""SSDA903, the Department for Education's looked-after children return (FORMATS.md).

`tables` reads the Header, Episodes and Missing tables (CSV or XML), `checks` applies the
Department's rules on missing periods, `importer` and `exporter` move the Missing table in
and out, and `own_records` checks Homeward's own records as they would be exported. Nothing
here imports pandas until it is used, so the window can import this package at start-up.
"""
