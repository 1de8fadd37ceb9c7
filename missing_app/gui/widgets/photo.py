"""A child's photo: shown in a fixed portrait frame, and made ready to keep (small JPEG)."""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPixmap
from PySide6.QtWidgets import QLabel, QWidget

LONGEST_SIDE = 480  # pixels: plenty for recognising a child, small enough to keep many
JPEG_QUALITY = 85


class PhotoError(ValueError):
    """A file that cannot be read as a picture."""


def photo_jpeg(image: QImage, longest: int = LONGEST_SIDE, quality: int = JPEG_QUALITY) -> bytes:
    """The picture as JPEG bytes, no more than `longest` pixels on its long side (transparent
    parts made white, since JPEG has no transparency)."""
    if image.isNull():
        raise PhotoError("the picture is empty")
    if max(image.width(), image.height()) > longest:
        image = image.scaled(
            longest,
            longest,
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
    flat = QImage(image.size(), QImage.Format.Format_RGB32)
    flat.fill(QColor("white"))
    painter = QPainter(flat)
    painter.drawImage(0, 0, image)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not flat.save(buffer, "JPG", quality):
        raise PhotoError("the picture could not be made into a JPEG")
    buffer.close()
    return bytes(data.data())


def read_photo(path: str) -> bytes:
    """The picture in the file at `path`, ready to keep (see `photo_jpeg`)."""
    image = QImage(path)
    if image.isNull():
        raise PhotoError("that file could not be read as a picture (use JPEG, PNG or BMP)")
    return photo_jpeg(image)


class PhotoView(QLabel):
    """The photo, scaled to fit a portrait frame; 'No photo' when there is none."""

    def __init__(self, size: QSize = QSize(150, 190), parent: QWidget | None = None) -> None:  # noqa: B008
        super().__init__(parent)
        self.frame = size
        self.has_photo = False
        self.setFixedSize(size)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setStyleSheet(
            "QLabel { background: #eef1f6; border: 1px solid #d8dde6; color: #4a5568; }"
        )
        self.set_photo(None)

    def set_photo(self, data: bytes | None) -> None:
        pixmap = QPixmap()
        if data and pixmap.loadFromData(data):
            self.has_photo = True
            self.setPixmap(
                pixmap.scaled(
                    self.frame - QSize(4, 4),
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            )
            self.setToolTip(f"Photo, {pixmap.width()} × {pixmap.height()} pixels")
        else:
            self.has_photo = False
            self.clear()
            self.setText("No photo" if not data else "Photo cannot be shown")
            self.setToolTip("")
