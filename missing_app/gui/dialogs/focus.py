"""Where the keyboard goes in a dialog: Tab in the order a person reads the fields.

Qt's own tab order is the order widgets were made in. A dialog's buttons are made in its
base class before any field, and a row added later (an action) is made after the buttons,
so Tab jumped to Save or skipped a row; every dialog orders its tabs with these instead.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QBoxLayout,
    QGridLayout,
    QLabel,
    QLayout,
    QLayoutItem,
    QPushButton,
    QWidget,
)


def chain_tabs(stops: Sequence[QWidget]) -> None:
    """Tab goes from each widget to the next, in this order."""
    for before, after in itertools.pairwise(stops):
        QWidget.setTabOrder(before, after)


def tab_stops(layout: QLayout | None) -> list[QWidget]:
    """The widgets that take focus in `layout`, in the order a person reads them.

    A widget with a focus proxy (one control standing for a group) is one stop; a plain
    container is looked into."""
    stops: list[QWidget] = []
    for item in reading_order(layout):
        widget, inner = item.widget(), item.layout()
        if inner is not None:
            stops += tab_stops(inner)
        elif widget is None or isinstance(widget, QLabel):
            continue
        elif widget.focusProxy() is None and widget.layout() is not None:
            stops += tab_stops(widget.layout())
        elif widget.focusPolicy() & Qt.FocusPolicy.TabFocus or widget.focusProxy() is not None:
            stops.append(widget)
    return stops


def reading_order(layout: QLayout | None) -> list[QLayoutItem]:
    """The items of a layout top to bottom, left to right (a grid by row, then column)."""
    if layout is None:
        return []
    places: list[tuple[int, int]] = []
    items: list[QLayoutItem] = []
    for index in range(layout.count()):
        item = layout.itemAt(index)
        if item is None:
            continue
        items.append(item)
        if isinstance(layout, QGridLayout):
            position: Any = layout.getItemPosition(index)  # (row, column, spans)
            places.append((int(position[0]), int(position[1])))
        else:
            places.append((0, index))
    if isinstance(layout, QBoxLayout) and layout.direction() in (
        QBoxLayout.Direction.RightToLeft,
        QBoxLayout.Direction.BottomToTop,
    ):
        items.reverse()
        return items
    pairs = sorted(zip(places, items, strict=True), key=lambda pair: pair[0])
    return [item for _place, item in pairs]


def is_push_button(widget: QWidget) -> bool:
    return isinstance(widget.focusProxy() or widget, QPushButton)
