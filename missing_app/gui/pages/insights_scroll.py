"""The Insights page's scrolled body: Page Down and Page Up stop at the top of a section.

The page's heading, pickers and scope stay above the scrolled body. Paging a whole view at a
time would carry the top of a section the view showed only in part (the "Charts" heading, a
chart's title) up out of sight, where it is hidden behind that fixed header; stopping at such
a section's top keeps every heading in view as the user pages down to it.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QScrollArea, QWidget

ABOVE = 4  # pixels left above a section's top when paging stops at it


class SectionScroll(QScrollArea):
    """A scroll area that pages to the top of the next section it has not shown whole."""

    def __init__(self, sections: Callable[[], list[QWidget]]) -> None:
        super().__init__()
        self.sections = sections  # the first widget of each section, top to bottom

    def keyPressEvent(self, event: QKeyEvent) -> None:
        paging = {Qt.Key.Key_PageDown: True, Qt.Key.Key_PageUp: False}
        if event.key() not in paging or event.modifiers() != Qt.KeyboardModifier.NoModifier:
            super().keyPressEvent(event)
            return
        bar = self.verticalScrollBar()
        bar.setValue(self.next_stop(bar.value(), bar.pageStep(), paging[event.key()]))

    def section_tops(self) -> list[int]:
        """Where each shown section starts in the body, in pixels from its top."""
        body = self.widget()
        shown = [w for w in self.sections() if w.isVisibleTo(body)]
        return sorted(max(w.mapTo(body, QPoint(0, 0)).y() - ABOVE, 0) for w in shown)

    def next_stop(self, now: int, page: int, down: bool) -> int:
        """A page on from `now`, or less: to the top of a section the view shows in part."""
        tops = self.section_tops()
        if not down:
            return next((top for top in reversed(tops) if now - page <= top < now), now - page)
        ends = [*tops[1:], self.widget().height()]
        for top, end in zip(tops, ends, strict=True):
            if now < top <= now + page and end > now + page:
                return top
        return now + page
