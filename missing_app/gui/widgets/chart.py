"""Charts on screen: the core's matplotlib Figures in Qt canvases, one under another, and the
episodes behind a clicked bar or cell.

This module imports matplotlib's Qt canvas, which takes most of a second to load. The window
never imports it at start; the Insights page imports it first on its background reader (in
`read_charts`), so the GUI thread finds it loaded when the charts arrive.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QSizePolicy,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from missing_app.core import chart_drill
from missing_app.core.chart_drill import ChartSpec
from missing_app.core.metrics import Period, Settings
from missing_app.core.models import MissingEpisode
from missing_app.core.queries.episodes import EpisodeFilter, episode_listing
from missing_app.core.security.access import Actor
from missing_app.gui.context import AppContext
from missing_app.gui.format import hours, risk, when, words
from missing_app.gui.widgets.tables import RowsTable, table_item

SHOWN_MOST = 1000  # episodes listed behind one bar; the heading gives the full count


@dataclass(frozen=True)
class ChartItem:
    """A chart ready to show: what the core computed (`spec`), the Figure drawn from it, its
    height on screen, and its pixels when they were drawn off the GUI thread."""

    spec: ChartSpec
    figure: Any  # matplotlib.figure.Figure
    height: int  # pixels
    drawn: Any = None  # the RendererAgg of a draw at the size the canvas will have

    @property
    def key(self) -> str:
        return self.spec.key

    @property
    def title(self) -> str:
        return self.spec.title


def chart_items(
    session: Session,
    period: Period,
    home_id: int | None,
    settings: Settings,
    width: int = 0,
    pixel_ratio: float = 1.0,
) -> list[ChartItem]:
    """Every chart of the Insights page for the period and home (all homes when None), each
    drawn here at `width` pixels when given, so the GUI thread only copies the pixels."""
    specs = chart_drill.insights_charts(session, period.first, period.last, home_id, settings)
    return [prepared(spec, chart_drill.chart_figure(spec), width, pixel_ratio) for spec in specs]


def prepared(spec: ChartSpec, figure: Any, width: int = 0, pixel_ratio: float = 1.0) -> ChartItem:
    """The chart as the canvas will show it: drawn now at `width` (logical) pixels if given."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    height = round(figure.get_figheight() * figure.dpi)
    if width <= 0:
        return ChartItem(spec, figure, height)
    figure.set_size_inches(width / figure.dpi, height / figure.dpi)
    figure.set_dpi(figure.dpi * pixel_ratio)  # as the Qt canvas sets it for the screen
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    return ChartItem(spec, figure, height, canvas.get_renderer())


class ChartCanvas(FigureCanvasQTAgg):
    """One chart, as wide as the page and as tall as its figure. A click inside the chart's
    main plot reports where it fell, in that plot's data coordinates.

    Drawing a chart takes a tenth to a third of a second, so a canvas draws only when it is
    painted (a chart scrolled out of sight is not drawn), and not at all while the pixels
    drawn off the GUI thread still fit its size.
    """

    clicked = Signal(str, float, float)  # chart key, x, y

    def __init__(self, item: ChartItem) -> None:
        super().__init__(item.figure)
        self.item = item
        self.setFixedHeight(item.height)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setToolTip("Click a bar or a cell to list the episodes behind it")
        self.setAccessibleName(item.title)
        if item.drawn is not None:
            # FigureCanvasAgg.get_renderer() reuses the renderer whose key matches the size.
            self.renderer = item.drawn
            self._lastKey = (item.drawn.width, item.drawn.height, item.figure.dpi)
        self.mpl_connect("button_press_event", self._pressed)

    def draw_idle(self) -> None:
        """Draw at the next paint (matplotlib would draw every canvas, seen or not)."""
        self._draw_pending = True
        self.update()

    def wheelEvent(self, event: Any) -> None:
        """The wheel scrolls the page: no chart zooms or scrolls on it (matplotlib's canvas
        would keep the event, and the page would stop scrolling under the pointer)."""
        event.ignore()

    def paintEvent(self, event: Any) -> None:
        # get_renderer() hands back the pixels drawn off the GUI thread while the size is
        # still theirs; at any other size it makes a blank renderer, and the chart is drawn.
        drawn = self.item.drawn
        if self._draw_pending and drawn is not None and self.get_renderer() is drawn:
            self._draw_pending = False
        super().paintEvent(event)

    def _pressed(self, event: Any) -> None:
        # The main plot is the figure's first axes; a twin axes drawn over it (a line of
        # children, a cumulative share) shares its x but not its y, so read the main one's.
        axes = self.item.figure.axes
        if not axes or not axes[0].bbox.contains(event.x, event.y):
            return
        x, y = axes[0].transData.inverted().transform((event.x, event.y))
        self.clicked.emit(self.item.key, float(x), float(y))


class ChartColumn(QWidget):
    """The charts one under another (the page scrolls them)."""

    clicked = Signal(str, float, float)

    def __init__(self) -> None:
        super().__init__()
        self.canvases: list[ChartCanvas] = []
        self.column = QVBoxLayout(self)
        self.column.setContentsMargins(0, 0, 0, 0)
        self.column.setSpacing(18)

    def show_charts(self, items: Sequence[ChartItem]) -> None:
        """Replace the charts shown."""
        self.clear()
        for item in items:
            canvas = ChartCanvas(item)
            canvas.clicked.connect(self.clicked)
            self.canvases.append(canvas)
            self.column.addWidget(canvas)

    def clear(self) -> None:
        for canvas in self.canvases:
            self.column.removeWidget(canvas)
            canvas.deleteLater()
        self.canvases = []

    def items(self) -> list[ChartItem]:
        return [canvas.item for canvas in self.canvases]


# The episodes behind a bar or cell ---------------------------------------------------------


@dataclass(frozen=True)
class EpisodesFound:
    """What a click found: the words for it, how many episodes, and the first of them."""

    label: str
    total: int
    rows: list[tuple[Any, ...]]  # (id, *EPISODE_COLUMNS), oldest first


def episodes_behind(
    session: Session, spec: ChartSpec, x: float, y: float, actor: Actor | None = None
) -> EpisodesFound | None:
    """The episodes behind the bar or cell at data coordinates (x, y), at the actor's homes
    (None: all); None off the bars."""
    cell = chart_drill.cell_at(spec, x, y)
    query = None if cell is None else chart_drill.drill(spec.key, spec.data, *cell)
    if query is None:
        return None
    ids = chart_drill.episode_ids(session, query, actor=actor)
    shown = ids[:SHOWN_MOST]
    listing = episode_listing(EpisodeFilter(), actor)
    select = listing.base.where(MissingEpisode.id.in_(shown)).order_by(
        MissingEpisode.last_seen_at, MissingEpisode.id
    )
    return EpisodesFound(query.label, len(ids), [tuple(row) for row in session.execute(select)])


HEADINGS = ("Last seen", "Child", "Reference", "Home", "Type", "Risk", "Returned", "Time away")


def episode_items(row: Sequence[Any]) -> list[QTableWidgetItem]:
    """The cells of one episode: (id, *EPISODE_COLUMNS) as the Episodes table reads them."""
    episode_id, last_seen, child, reference, home, kind, grade, returned, away, _ref = row
    return [
        table_item(when(last_seen), episode_id),
        table_item(child or reference),
        table_item(reference),
        table_item(home),
        table_item(words(kind)),
        table_item(risk(grade)),
        table_item(when(returned) if returned else "Still missing"),
        table_item(hours(away)),
    ]


class EpisodesBehind(QDialog):
    """The episodes behind a bar or cell; Enter or a double-click opens one."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setWindowTitle("Episodes behind the chart")
        self.resize(980, 520)
        layout = QVBoxLayout(self)
        self.heading = QLabel("")
        self.heading.setObjectName("sectionTitle")
        self.heading.setWordWrap(True)
        self.count = QLabel("")
        self.count.setObjectName("pageSubtitle")
        self.table = RowsTable(HEADINGS, stretch=3)
        self.table.opened.connect(self.open_row)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        for widget in (self.heading, self.count, self.table):
            layout.addWidget(widget)
        layout.addStretch(1)
        layout.addWidget(buttons)

    def show_episodes(self, found: EpisodesFound) -> None:
        self.heading.setText(found.label)
        noun = "episode" if found.total == 1 else "episodes"
        shown = len(found.rows)
        self.count.setText(
            f"{found.total:,} {noun}, oldest first. Enter or a double-click opens one."
            if shown == found.total
            else f"The first {shown:,} of {found.total:,} {noun}, oldest first."
        )
        rows = [episode_items(row) for row in found.rows]
        self.table.fill(rows, most=14)
        if rows:
            self.table.setCurrentCell(0, 0)
        self.table.setFocus()

    def open_row(self, row: int) -> None:
        episode_id = self.table.key(row)
        if episode_id is None or self.context.navigator is None:
            return
        self.accept()
        self.context.navigator.open_episode(int(str(episode_id)))
