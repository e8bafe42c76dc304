"""A small org.freedesktop.Notifications server for integration tests (jeepney, blocking IO).

    python tests/support/notification_server.py --address ADDR --record FILE
        [--capabilities actions,body,body-markup] [--fail] [--first-id N]

It owns the well-known name org.freedesktop.Notifications on the bus at ADDR and serves
/org/freedesktop/Notifications. Every Notify call is appended to FILE as one JSON line
(flushed and fsynced before the reply is sent, so a client that got its reply can read it).

Besides the standard interface it serves a test-control interface, org.connect.Test, on the
same path: InvokeAction(u id, s key) and EmitClosed(u id, u reason) broadcast the
ActionInvoked / NotificationClosed signals, as a real server does when the user clicks.

Ids start after the highest id already in FILE (1 for a new file), so a server restarted on
the same record keeps ids unique; pass --first-id 1 to mimic a server that starts over.

Exits 0 on SIGTERM/SIGINT, 2 if it cannot become the primary owner of the name.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time

from jeepney import (
    DBusAddress,
    HeaderFields,
    MessageFlag,
    MessageType,
    new_error,
    new_method_return,
    new_signal,
)
from jeepney.bus_messages import DBusNameFlags, message_bus
from jeepney.io.blocking import open_dbus_connection
from jeepney.low_level import (
    Array,
    DictEntry,
    FileDescriptor,
    Struct,
    Variant,
    parse_signature,
)
from jeepney.wrappers import unwrap_msg

NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
IFACE = "org.freedesktop.Notifications"
TEST_IFACE = "org.connect.Test"
DEFAULT_CAPABILITIES = ["actions", "body", "body-markup"]
SERVER_INFO = ("connect-test", "connect", "1.0", "1.2")
REASON_CLOSED_BY_CALL = 3

INTROSPECTION = f"""<!DOCTYPE node PUBLIC "-//freedesktop//DTD D-BUS Object Introspection 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/introspect.dtd">
<node>
  <interface name="{IFACE}">
    <method name="GetCapabilities"><arg type="as" direction="out"/></method>
    <method name="Notify">
      <arg name="app_name" type="s" direction="in"/>
      <arg name="replaces_id" type="u" direction="in"/>
      <arg name="app_icon" type="s" direction="in"/>
      <arg name="summary" type="s" direction="in"/>
      <arg name="body" type="s" direction="in"/>
      <arg name="actions" type="as" direction="in"/>
      <arg name="hints" type="a{{sv}}" direction="in"/>
      <arg name="expire_timeout" type="i" direction="in"/>
      <arg name="id" type="u" direction="out"/>
    </method>
    <method name="CloseNotification"><arg name="id" type="u" direction="in"/></method>
    <method name="GetServerInformation">
      <arg type="s" direction="out"/><arg type="s" direction="out"/>
      <arg type="s" direction="out"/><arg type="s" direction="out"/>
    </method>
    <signal name="NotificationClosed"><arg name="id" type="u"/><arg name="reason" type="u"/></signal>
    <signal name="ActionInvoked"><arg name="id" type="u"/><arg name="action_key" type="s"/></signal>
  </interface>
  <interface name="{TEST_IFACE}">
    <method name="InvokeAction"><arg name="id" type="u" direction="in"/><arg name="action_key" type="s" direction="in"/></method>
    <method name="EmitClosed"><arg name="id" type="u" direction="in"/><arg name="reason" type="u" direction="in"/></method>
  </interface>
</node>
"""


class _Terminate(Exception):
    """Raised from the SIGTERM/SIGINT handler to leave the receive loop."""


def _on_signal(signum, frame):
    raise _Terminate(signum)


def plain(type_, value):
    """Convert a parsed D-Bus value of jeepney type ``type_`` to plain JSON data."""
    if isinstance(type_, Variant):
        sig, inner = value
        return plain(parse_signature(list(sig)), inner)
    if isinstance(type_, Array):
        elt = type_.elt_type
        if isinstance(elt, DictEntry):
            key_type, val_type = elt.fields
            return {str(plain(key_type, k)): plain(val_type, v) for k, v in value.items()}
        if isinstance(value, (bytes, bytearray)):  # 'ay'
            return list(value)
        return [plain(elt, v) for v in value]
    if isinstance(type_, Struct):
        return [plain(t, v) for t, v in zip(type_.fields, value)]
    if isinstance(type_, FileDescriptor):
        return repr(value)
    return value  # str, int, float, bool


def plain_hints(hints: dict) -> dict:
    out = {}
    for key, value in hints.items():
        try:
            converted = plain(Variant(), value)
            json.dumps(converted)
        except Exception:  # anything odd is still recorded, just not as structured data
            converted = repr(value)
        out[key] = converted
    return out


def highest_recorded_id(record: str) -> int:
    highest = 0
    try:
        with open(record, encoding="utf-8") as fh:
            for line in fh:
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue
                if isinstance(entry.get("id"), int):
                    highest = max(highest, entry["id"])
    except FileNotFoundError:
        pass
    return highest


class Server:
    def __init__(self, conn, record: str, capabilities: list[str], fail: bool, first_id: int | None):
        self.conn = conn
        self.capabilities = capabilities
        self.fail = fail
        self.next_id = first_id if first_id is not None else highest_recorded_id(record) + 1
        self.record = open(record, "a", encoding="utf-8")
        self.emitter = DBusAddress(PATH, interface=IFACE)

    # -- plumbing ------------------------------------------------------------------------
    def write_record(self, entry: dict) -> None:
        self.record.write(json.dumps(entry, sort_keys=True) + "\n")
        self.record.flush()
        os.fsync(self.record.fileno())

    def emit(self, member: str, signature: str, body: tuple) -> None:
        # No destination: a broadcast signal, delivered to every connection with a match rule.
        self.conn.send(new_signal(self.emitter, member, signature, body))

    def reply(self, msg, signature=None, body=()):
        if not msg.header.flags & MessageFlag.no_reply_expected:
            self.conn.send(new_method_return(msg, signature, body))

    def error(self, msg, name: str, text: str):
        if not msg.header.flags & MessageFlag.no_reply_expected:
            self.conn.send(new_error(msg, name, "s", (text,)))

    def serve_forever(self) -> None:
        while True:
            msg = self.conn.receive()
            if msg.header.message_type is MessageType.method_call:
                self.dispatch(msg)
            # Everything else (NameAcquired, stray replies) is ignored.

    def dispatch(self, msg) -> None:
        fields = msg.header.fields
        path = fields.get(HeaderFields.path)
        iface = fields.get(HeaderFields.interface)  # optional in method calls
        member = fields.get(HeaderFields.member)
        signature = fields.get(HeaderFields.signature, "")

        if path != PATH:
            return self.error(msg, "org.freedesktop.DBus.Error.UnknownObject", f"No object at {path}")

        candidates = [
            entry
            for (if_name, name), entry in self.methods().items()
            if name == member and (iface is None or iface == if_name)
        ]
        if not candidates:
            return self.error(
                msg,
                "org.freedesktop.DBus.Error.UnknownMethod",
                f"No such method {member!r} in interface {iface!r} with signature {signature!r}",
            )
        expected_sig, method = candidates[0]
        if signature != expected_sig:
            return self.error(
                msg,
                "org.freedesktop.DBus.Error.InvalidArgs",
                f"{member} expects signature {expected_sig!r}, got {signature!r}",
            )
        try:
            method(msg, *msg.body)
        except _Terminate:
            raise
        except Exception as exc:  # keep serving; tell the caller and leave a trace in the log
            import traceback

            traceback.print_exc()
            self.error(msg, "org.freedesktop.DBus.Error.Failed", f"{member} crashed: {exc!r}")

    def methods(self) -> dict:
        """(interface, member) -> (input signature, handler)."""
        return {
            (IFACE, "GetCapabilities"): ("", self.do_GetCapabilities),
            (IFACE, "Notify"): ("susssasa{sv}i", self.do_Notify),
            (IFACE, "CloseNotification"): ("u", self.do_CloseNotification),
            (IFACE, "GetServerInformation"): ("", self.do_GetServerInformation),
            (TEST_IFACE, "InvokeAction"): ("us", self.do_InvokeAction),
            (TEST_IFACE, "EmitClosed"): ("uu", self.do_EmitClosed),
            ("org.freedesktop.DBus.Introspectable", "Introspect"): ("", self.do_Introspect),
            ("org.freedesktop.DBus.Peer", "Ping"): ("", self.do_Ping),
        }

    # -- org.freedesktop.Notifications -----------------------------------------------------
    def do_GetCapabilities(self, msg):
        self.reply(msg, "as", (list(self.capabilities),))

    def do_Notify(self, msg, app_name, replaces_id, app_icon, summary, body, actions, hints, expire_timeout):
        entry = {
            "app_name": app_name,
            "replaces_id": replaces_id,
            "app_icon": app_icon,
            "summary": summary,
            "body": body,
            "actions": list(actions),
            "hints": plain_hints(hints),
            "expire_timeout": expire_timeout,
            "time": time.time(),
        }
        if self.fail:
            entry.update(id=None, failed=True)
            self.write_record(entry)
            return self.error(msg, "org.freedesktop.DBus.Error.Failed", "notification server told to fail (--fail)")
        if replaces_id:
            nid = replaces_id
        else:
            nid = self.next_id
            self.next_id += 1
        entry["id"] = nid
        self.write_record(entry)
        self.reply(msg, "u", (nid,))

    def do_CloseNotification(self, msg, nid):
        self.emit("NotificationClosed", "uu", (nid, REASON_CLOSED_BY_CALL))
        self.reply(msg)

    def do_GetServerInformation(self, msg):
        self.reply(msg, "ssss", SERVER_INFO)

    # -- org.connect.Test ------------------------------------------------------------------
    def do_InvokeAction(self, msg, nid, action_key):
        # Signal first, then the reply: once the caller has its reply the signal is on the bus.
        self.emit("ActionInvoked", "us", (nid, action_key))
        self.reply(msg)

    def do_EmitClosed(self, msg, nid, reason):
        self.emit("NotificationClosed", "uu", (nid, reason))
        self.reply(msg)

    # -- standard extras (handy with busctl/gdbus while debugging) -------------------------
    def do_Introspect(self, msg):
        self.reply(msg, "s", (INTROSPECTION,))

    def do_Ping(self, msg):
        self.reply(msg)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--address", required=True, help="D-Bus address, e.g. unix:path=/tmp/x/bus")
    parser.add_argument("--record", required=True, help="JSON-lines file that receives every Notify")
    parser.add_argument(
        "--capabilities", default=",".join(DEFAULT_CAPABILITIES), help="comma separated; empty string for none"
    )
    parser.add_argument("--fail", action="store_true", help="answer Notify with org.freedesktop.DBus.Error.Failed")
    parser.add_argument(
        "--first-id", type=int, default=None, help="first notification id (default: one more than the highest recorded)"
    )
    args = parser.parse_args(argv)

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)

    capabilities = [c for c in args.capabilities.split(",") if c]
    conn = None
    try:
        conn = open_dbus_connection(bus=args.address)
        reply = conn.send_and_get_reply(message_bus.RequestName(NAME, DBusNameFlags.do_not_queue), timeout=10)
        (code,) = unwrap_msg(reply)
        if code != 1:  # 1 = DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER
            print(
                f"notification_server: could not become primary owner of {NAME} "
                f"(RequestName returned {code}); is another server running?",
                file=sys.stderr,
            )
            return 2
        server = Server(conn, args.record, capabilities, args.fail, args.first_id)
        print(
            f"notification_server: serving {NAME} as {conn.unique_name} "
            f"(capabilities={capabilities}, fail={args.fail})",
            file=sys.stderr,
            flush=True,
        )
        server.serve_forever()
    except _Terminate:
        return 0
    except (ConnectionResetError, BrokenPipeError) as exc:
        print(f"notification_server: bus connection lost: {exc}", file=sys.stderr)
        return 1
    finally:
        if conn is not None:
            try:
                conn.close()
            except Exception:
                pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
