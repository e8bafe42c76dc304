"""Desktop notifications: D-Bus on Linux (with Done/Snooze buttons), plyer elsewhere, a recorder for tests.

On Linux, plyer falls back to `notify-send` and silently loses a notification when no
server listens, and it cannot offer buttons; so there we speak to
org.freedesktop.Notifications ourselves and check that the server returned an id.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import Protocol

APP_NAME = "connect"
# Namespaced, so a button of another application's notification can never pass for ours.
DONE_ACTION, SNOOZE_ACTION = "connect-done", "connect-snooze"
SNOOZE_HOUR_ACTION, SNOOZE_EVENING_ACTION = "connect-snooze-hour", "connect-snooze-evening"
# A local bus answers in milliseconds; a short limit keeps SIGTERM prompt even when a server hangs.
SEND_TIMEOUT = 1.0
_MEMBER, _SENDER = 3, 7  # jeepney.low_level.HeaderFields, without importing jeepney on the CLI path


@dataclass(frozen=True)
class Notification:
    """What to show: a title, a body of plain text, and optional buttons (key, label)."""

    title: str
    body: str
    actions: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Delivery:
    """Whether a notification was handed over, through which backend, and its id there (if confirmed)."""

    ok: bool
    backend: str
    id: int | None = None
    error: str = ""
    owner: str = ""  # the server's unique bus name: only it may press our buttons


@dataclass(frozen=True)
class ActionEvent:
    """A button pressed on a notification (or, with `closed`, the notification went away)."""

    notification_id: int
    action: str
    sender: str = ""
    closed: bool = False


class Notifier(Protocol):
    """Anything that can show a notification."""

    name: str

    def send(self, notification: Notification) -> Delivery: ...

    def fileno(self) -> int | None:
        """A descriptor to wait on for button presses, or None."""

    def poll_actions(self) -> list[ActionEvent]: ...

    def listen(self) -> None:
        """Make sure button presses can arrive (reconnect if needed)."""

    def close(self) -> None: ...


def escape_markup(text: str) -> str:
    """Escape text for the notification body's markup subset, so it shows literally."""
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&apos;")
    )


def session_bus_address(environ: dict[str, str] | None = None) -> str | None:
    """`$DBUS_SESSION_BUS_ADDRESS`, else `$XDG_RUNTIME_DIR/bus` when that socket exists."""
    env = os.environ if environ is None else environ
    address = env.get("DBUS_SESSION_BUS_ADDRESS")
    if address:
        return address
    runtime = env.get("XDG_RUNTIME_DIR")
    if runtime and os.path.exists(os.path.join(runtime, "bus")):
        return f"unix:path={runtime}/bus"
    return None


class DBusNotifier:
    """org.freedesktop.Notifications over the session bus, with jeepney (pure Python)."""

    name = "dbus"

    def __init__(self, address: str):
        self.address = address
        self._connection = None
        self._queue = None
        self._filters: list = []
        self._capabilities: tuple[str, list[str]] | None = None

    def _connect(self):
        if self._connection is not None:
            return self._connection
        from collections import deque

        from jeepney import MatchRule, message_bus
        from jeepney.io.blocking import open_dbus_connection

        connection = open_dbus_connection(bus=self.address, auth_timeout=SEND_TIMEOUT)
        self._connection = connection
        self._queue = deque(maxlen=100)
        try:
            for member in ("ActionInvoked", "NotificationClosed"):
                rule = MatchRule(
                    type="signal",
                    interface="org.freedesktop.Notifications",
                    path="/org/freedesktop/Notifications",
                    member=member,
                )
                self._checked(connection.send_and_get_reply(message_bus.AddMatch(rule), timeout=SEND_TIMEOUT))
                self._filters.append(connection.filter(rule, queue=self._queue))
        except BaseException:
            self.close()
            raise
        return connection

    def _call(self, method: str, signature: str | None = None, body: tuple = ()):
        from jeepney import DBusAddress, new_method_call

        address = DBusAddress(
            "/org/freedesktop/Notifications",
            bus_name="org.freedesktop.Notifications",
            interface="org.freedesktop.Notifications",
        )
        message = new_method_call(address, method, signature, body)
        return self._connect().send_and_get_reply(message, timeout=SEND_TIMEOUT)

    @staticmethod
    def _checked(reply) -> tuple:
        from jeepney.wrappers import unwrap_msg

        return unwrap_msg(reply)  # raises DBusErrorResponse for an error reply

    def capabilities(self) -> list[str]:
        """What the notification server can do (`actions`, `body-markup`, …); asked once per server."""
        if self._capabilities is None:
            reply = self._call("GetCapabilities")
            self._capabilities = (reply.header.fields.get(_SENDER, ""), list(self._checked(reply)[0]))
        return self._capabilities[1]

    def send(self, notification: Notification) -> Delivery:
        try:
            capabilities = self.capabilities()
        except Exception as error:  # noqa: BLE001 — a failed send is reported, never fatal
            self._forget(error)
            return Delivery(False, self.name, error=_describe(error))
        body = escape_markup(notification.body) if "body-markup" in capabilities else notification.body
        actions = (
            [part for key, label in notification.actions for part in (key, label)] if "actions" in capabilities else []
        )
        try:
            reply = self._call(
                "Notify",
                "susssasa{sv}i",
                (APP_NAME, 0, "", notification.title, body, actions, {"urgency": ("y", 1)}, -1),
            )
            (notification_id,) = self._checked(reply)
        except TimeoutError:
            # The server may still show it: sending again could show it twice, so count it as sent.
            self._forget(TimeoutError())
            return Delivery(True, self.name, error=f"no reply within {SEND_TIMEOUT:g} s; not confirmed")
        except Exception as error:  # noqa: BLE001 — a failed send is reported, never fatal
            self._forget(error)
            return Delivery(False, self.name, error=_describe(error))
        if not notification_id:
            return Delivery(False, self.name, error="the server returned no notification id")
        owner = reply.header.fields.get(_SENDER, "")
        if self._capabilities and self._capabilities[0] != owner:
            self._capabilities = None  # another server took over: ask it what it can do next time
        return Delivery(True, self.name, id=int(notification_id), owner=owner)

    def _forget(self, error: Exception) -> None:
        self._capabilities = None  # the server may have changed
        if isinstance(error, (OSError, EOFError, TimeoutError, ConnectionError)):
            self.close()

    def listen(self) -> None:
        """Reconnect (if the bus connection was lost) so that button presses are heard."""
        try:
            self._connect()
        except Exception:  # noqa: BLE001 — tried again later
            self.close()

    def fileno(self) -> int | None:
        return self._connection.sock.fileno() if self._connection is not None else None

    def poll_actions(self) -> list[ActionEvent]:
        """Read what the bus has sent; return the buttons pressed."""
        if self._connection is None:
            return []
        try:
            while True:
                self._connection.recv_messages(timeout=0)
        except TimeoutError:
            pass
        except Exception:  # noqa: BLE001 — the bus went away; reconnect on the next send
            self.close()
        events = []
        while self._queue:
            message = self._queue.popleft()
            member, sender = message.header.fields.get(_MEMBER), message.header.fields.get(_SENDER, "")
            if member == "ActionInvoked":
                notification_id, action = message.body
                events.append(ActionEvent(int(notification_id), str(action), sender))
            elif member == "NotificationClosed":
                events.append(ActionEvent(int(message.body[0]), "", sender, closed=True))
        return events

    def close(self) -> None:
        if self._connection is not None:
            for handle in self._filters:
                try:
                    handle.close()
                except Exception:  # noqa: BLE001
                    pass
            self._filters = []
            self._capabilities = None
            try:
                self._connection.close()
            finally:
                self._connection = None


class PlyerNotifier:
    """plyer's portable notifications (macOS, Windows, other desktops); no buttons, no confirmation."""

    name = "plyer"

    def send(self, notification: Notification) -> Delivery:
        try:
            from plyer import notification as plyer_notification

            plyer_notification.notify(
                title=notification.title, message=notification.body, app_name=APP_NAME, timeout=10
            )
        except Exception as error:  # noqa: BLE001 — plyer raises many kinds; report, never crash
            return Delivery(False, self.name, error=_describe(error))
        return Delivery(True, self.name)

    def fileno(self) -> int | None:
        return None

    def poll_actions(self) -> list[ActionEvent]:
        return []

    def listen(self) -> None:
        pass

    def close(self) -> None:
        pass


@dataclass
class RecordingNotifier:
    """Keeps what it was asked to show (for tests); `fail` makes every send fail."""

    name: str = "recording"
    sent: list[Notification] = field(default_factory=list)
    fail: bool = False
    pressed: list[ActionEvent] = field(default_factory=list)

    def send(self, notification: Notification) -> Delivery:
        if self.fail:
            return Delivery(False, self.name, error="refused for the test")
        self.sent.append(notification)
        return Delivery(True, self.name, id=len(self.sent), owner="recorder")

    def fileno(self) -> int | None:
        return None

    def poll_actions(self) -> list[ActionEvent]:
        events, self.pressed = self.pressed, []
        return events

    def listen(self) -> None:
        pass

    def close(self) -> None:
        pass


def _describe(error: Exception) -> str:
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0]


NO_BUS = (
    "no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set and $XDG_RUNTIME_DIR/bus does not exist), "
    "so no desktop notification can be shown; run it inside your desktop session"
)


class NoSessionBus(PlyerNotifier):
    """Linux without a session bus: nothing can show a notification, and every send says why."""

    name = "none"

    def send(self, notification: Notification) -> Delivery:
        return Delivery(False, self.name, error=NO_BUS)


def choose_notifier(environ: dict[str, str] | None = None) -> Notifier:
    """D-Bus on Linux when a session bus can be found (none: every send fails, saying why); plyer elsewhere.

    plyer on Linux without a bus prints warnings of its own and reports success for a notification
    nobody sees.
    """
    if sys.platform.startswith("linux"):
        address = session_bus_address(environ)
        return DBusNotifier(address) if address else NoSessionBus()
    return PlyerNotifier()
