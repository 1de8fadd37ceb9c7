"""Coded lists recorded with a return home interview, with their words.

Stored on `ReturnInterview` as comma-separated codes; the form, the child's page and the
demo data all use these lists, so a theme reads the same everywhere.
"""

from __future__ import annotations

PUSH_FACTORS: tuple[tuple[str, str], ...] = (
    ("conflict_with_staff", "Conflict with staff"),
    ("conflict_with_peers", "Conflict with other young people"),
    ("unhappy_in_placement", "Unhappy in the placement"),
    ("house_rules", "House rules"),
    ("contact_refused", "Family contact refused"),
    ("bullying", "Bullying"),
    ("boredom", "Boredom"),
)
PULL_FACTORS: tuple[tuple[str, str], ...] = (
    ("friends", "Friends"),
    ("family", "Family"),
    ("boyfriend_girlfriend", "Boyfriend or girlfriend"),
    ("older_associates", "Older associates"),
    ("drugs_alcohol", "Drugs or alcohol"),
    ("parties", "Parties"),
)
EXPLOITATION_INDICATORS: tuple[tuple[str, str], ...] = (
    ("found_out_of_area", "Found out of area"),
    ("unexplained_money", "Unexplained money"),
    ("unexplained_phone", "Unexplained phone, clothes or gifts"),
    ("multiple_sims", "Several SIM cards"),
    ("unusual_train_tickets", "Train tickets for unusual journeys"),
    ("older_associates", "Older or controlling associates"),
    ("cars_with_unknown_adults", "Getting into cars with unknown adults"),
    ("drugs", "Drugs"),
    ("weapons", "Weapons"),
    ("county_lines_slang", "County-lines slang"),
)

THEME_WORDS = dict(PUSH_FACTORS + PULL_FACTORS + EXPLOITATION_INDICATORS)
