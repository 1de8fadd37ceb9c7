"""Drive the real application on a real X screen (Xvfb) from the keyboard alone (xdotool).

Nothing here moves or clicks the mouse: every step is a key chord or typed text, counted as
a person's keystrokes. The only thing not pressed by a person is giving the main window the
keyboard focus back when a form closes, which a window manager does (Xvfb runs none).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

TOOLS = ("Xvfb", "xdotool")
KEY_DELAY_MS = 25  # between keys, as xdotool sends them


def missing_tools() -> list[str]:
    return [tool for tool in TOOLS if shutil.which(tool) is None]


@contextmanager
def x_screen(width: int = 1440, height: int = 900) -> Iterator[str]:
    """A fresh Xvfb screen; yields its DISPLAY name."""
    read, write = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", f"{width}x{height}x24", "-nolisten",
         "tcp"],
        pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    os.close(write)
    try:
        with os.fdopen(read) as pipe:
            number = pipe.readline().strip()
        if not number:
            raise RuntimeError("Xvfb did not start")
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(timeout=10)


@dataclass
class Timing:
    task: str
    keystrokes: int
    seconds: float


@dataclass
class Keyboard:
    """xdotool on one display, counting what a person would press."""

    display: str
    keystrokes: int = 0
    log: list[str] = field(default_factory=list)
    timings: list[Timing] = field(default_factory=list)

    @contextmanager
    def task(self, name: str) -> Iterator[None]:
        """Count the keystrokes and seconds of one task (its steps run inside)."""
        before, started = self.keystrokes, time.monotonic()
        yield
        self.timings.append(Timing(name, self.keystrokes - before, time.monotonic() - started))

    def _xdotool(self, *args: str) -> str:
        env = {**os.environ, "DISPLAY": self.display}
        done = subprocess.run(["xdotool", *args], env=env, capture_output=True, text=True)
        return done.stdout

    def key(self, *chords: str) -> None:
        """Press each chord (`ctrl+n`, `Tab`, `Return`) in turn: one keystroke each."""
        self.keystrokes += len(chords)
        self.log.append(" ".join(chords))
        self._xdotool("key", "--delay", str(KEY_DELAY_MS), *chords)
        time.sleep(0.15)

    def type(self, text: str) -> None:
        """Type `text`: one keystroke a character."""
        self.keystrokes += len(text)
        self.log.append(repr(text))
        self._xdotool("type", "--delay", str(KEY_DELAY_MS), text)
        time.sleep(0.15)

    def windows(self, title: str) -> list[str]:
        return self._xdotool("search", "--onlyvisible", "--name", title).split()

    def wait_for(self, title: str, present: bool = True, timeout: float = 20.0) -> None:
        """Wait until a window whose title matches `title` is shown (or gone)."""
        deadline = time.monotonic() + timeout
        while bool(self.windows(title)) != present:
            if time.monotonic() > deadline:
                state = "appear" if present else "close"
                raise AssertionError(f"window {title!r} did not {state} within {timeout} s")
            time.sleep(0.1)
        time.sleep(0.3)  # let the window take its first focus

    def focus(self, title: str) -> None:
        """Give a window the keyboard focus (what a window manager does when a form closes)."""
        found = self.windows(title)
        if not found:
            raise AssertionError(f"no window {title!r} to focus")
        self._xdotool("windowfocus", "--sync", found[-1])
        time.sleep(0.2)


@dataclass
class Application:
    """`python -m missing_app --db PATH` on the display, stopped at the end."""

    display: str
    database: Path
    process: subprocess.Popen[bytes] | None = None
    output: Path | None = None

    def start(self) -> None:
        env = {**os.environ, "DISPLAY": self.display, "QT_QPA_PLATFORM": "xcb"}
        env.pop("MISSING_APP_PASSWORD", None)
        self.output = self.database.with_suffix(".log")
        with open(self.output, "wb") as sink:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "missing_app", "--db", str(self.database)],
                env=env, stdout=sink, stderr=subprocess.STDOUT,
            )  # fmt: skip

    def stop(self) -> int | None:
        if self.process is None:
            return None
        try:
            return self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()

    def log_text(self) -> str:
        return self.output.read_text(errors="replace") if self.output else ""


def table(timings: Sequence[Timing]) -> str:
    lines = [f"{'task':<34}{'keys':>6}{'seconds':>9}"]
    lines += [f"{t.task:<34}{t.keystrokes:>6}{t.seconds:>9.1f}" for t in timings]
    lines.append(
        f"{'all':<34}{sum(t.keystrokes for t in timings):>6}{sum(t.seconds for t in timings):>9.1f}"
    )
    return "\n".join(lines)
