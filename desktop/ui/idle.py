"""Idle detection: after N minutes without a key press or mouse use, emit ``idle`` (auto-lock)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

DEFAULT_IDLE_MINUTES = 10

_ACTIVITY = {
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseMove,
    QEvent.Type.Wheel,
    QEvent.Type.TouchBegin,
}


class IdleWatcher(QObject):
    """Watches the whole application's input; ``idle`` fires once per idle period."""

    idle = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.idle)
        self.set_minutes(DEFAULT_IDLE_MINUTES)
        QApplication.instance().installEventFilter(self)

    def set_minutes(self, minutes: float) -> None:
        """Idle time before locking; 0 switches auto-lock off."""
        self.set_interval_ms(int(minutes * 60_000))

    def set_interval_ms(self, msecs: int) -> None:
        self._interval = max(0, msecs)
        self._timer.setInterval(self._interval)
        if self._timer.isActive():
            self.start()

    def interval_ms(self) -> int:
        return self._interval

    def start(self) -> None:
        if self._interval > 0:
            self._timer.start()
        else:
            self._timer.stop()

    def stop(self) -> None:
        self._timer.stop()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if event.type() in _ACTIVITY and self._timer.isActive():
            self._timer.start()
        return False

    def shutdown(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self._timer.stop()
