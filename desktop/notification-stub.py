#!/usr/bin/python3
"""A stand-in desktop notification daemon for desktop/menu-test.sh.

Owns org.freedesktop.Notifications on the session bus and appends one JSON line per Notify call
(app name, summary, body, urgency) to the file named on the command line, so the test can check
what `notify-send`, run by `linksmith --notify`, would have shown. Nothing is drawn.
"""
import json
import sys

from gi.repository import Gio, GLib

XML = """
<node>
  <interface name="org.freedesktop.Notifications">
    <method name="Notify">
      <arg type="s" direction="in"/><arg type="u" direction="in"/><arg type="s" direction="in"/>
      <arg type="s" direction="in"/><arg type="s" direction="in"/><arg type="as" direction="in"/>
      <arg type="a{sv}" direction="in"/><arg type="i" direction="in"/><arg type="u" direction="out"/>
    </method>
    <method name="CloseNotification"><arg type="u" direction="in"/></method>
    <method name="GetCapabilities"><arg type="as" direction="out"/></method>
    <method name="GetServerInformation">
      <arg type="s" direction="out"/><arg type="s" direction="out"/>
      <arg type="s" direction="out"/><arg type="s" direction="out"/>
    </method>
    <signal name="NotificationClosed"><arg type="u"/><arg type="u"/></signal>
  </interface>
</node>
"""

log_path = sys.argv[1]
counter = 0


def on_call(connection, sender, path, interface, method, parameters, invocation):
    global counter
    if method == "Notify":
        app, _replaces, icon, summary, body, _actions, hints, _timeout = parameters.unpack()
        counter += 1
        urgency = hints.get("urgency")
        with open(log_path, "a", encoding="utf-8") as log:
            log.write(json.dumps({"id": counter, "app": app, "icon": icon, "summary": summary, "body": body, "urgency": urgency}) + "\n")
        invocation.return_value(GLib.Variant("(u)", (counter,)))
    elif method == "CloseNotification":
        invocation.return_value(None)
    elif method == "GetCapabilities":
        invocation.return_value(GLib.Variant("(as)", (["body"],)))
    elif method == "GetServerInformation":
        invocation.return_value(GLib.Variant("(ssss)", ("linksmith-test-stub", "linksmith", "1", "1.2")))


def on_bus(connection, name):
    info = Gio.DBusNodeInfo.new_for_xml(XML)
    connection.register_object("/org/freedesktop/Notifications", info.interfaces[0], on_call, None, None)


def on_name(connection, name):
    # The test waits for this line before it starts a file manager.
    print("notification stub ready", flush=True)


def on_lost(connection, name):
    print("notification stub: could not own org.freedesktop.Notifications (another daemon runs?)", file=sys.stderr, flush=True)
    sys.exit(1)


Gio.bus_own_name(Gio.BusType.SESSION, "org.freedesktop.Notifications", Gio.BusNameOwnerFlags.NONE, on_bus, on_name, on_lost)
GLib.MainLoop().run()
