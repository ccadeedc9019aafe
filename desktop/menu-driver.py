#!/usr/bin/python3
"""Drives one real file manager through Linksmith's context-menu entries (desktop/menu-test.sh).

Run by menu-test.sh inside its Xvfb + D-Bus + AT-SPI session, never by hand:

    menu-driver.py FM WORKDIR SHOTDIR NOTIFY_LOG LINKSMITH

FM is thunar, nautilus or nemo. The steps, each bounded by a timeout (a failure exits 1 naming the step):
  1. `LINKSMITH shell install --for FM`, then start FM on a fresh folder WORKDIR/FM holding
     notes.txt, photos/a.jpg and the folders drop-symlink, drop-hardlink, drop-copy;
  2. right-click notes.txt and photos (a real button-3 click at the row's position, taken from the
     accessibility tree) and activate "Pick Link Source" in each menu;
  3. right-click drop-symlink, open "Drop As", activate "Symbolic Link"; pick notes.txt, drop as
     "Hard Link" into drop-hardlink; pick photos, drop as "Smart Copy" into drop-copy; after each,
     check the result on disk and the notification the stub daemon received;
  4. `LINKSMITH shell uninstall --for FM`, right-click a file and a folder again and check that
     no Linksmith entry is left in the live menu (Thunar reads uca.xml only when it starts, as
     `shell install` says: the check is made once in the running Thunar, recorded, and then
     after `thunar -q` and a new start).
Screenshots of each open menu go to SHOTDIR/FM-*.png (ImageMagick's `import -window root`).
"""
import json
import os
import shlex
import signal
import subprocess
import sys
import time

import gi

gi.require_version("Atspi", "2.0")
from gi.repository import Atspi  # noqa: E402
import pyatspi  # noqa: E402

FM, WORK, SHOTS, NOTIFY_LOG = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
LINKSMITH = shlex.split(sys.argv[5])
FOLDER = os.path.join(WORK, FM)
started = time.monotonic()
processes = []


class Failure(Exception):
    pass


def log(message):
    print(f"[{FM} {time.monotonic() - started:6.1f}s] {message}", flush=True)


def wait_for(what, probe, timeout=30.0, interval=0.2):
    """Polls probe() until it returns something true; its value, or Failure after timeout seconds."""
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        try:
            value = probe()
            if value:
                return value
        except Failure:
            raise
        except Exception as error:  # the tree changes under us: a vanished object is a retry
            last_error = error
        time.sleep(interval)
        forget_tree()
    raise Failure(f"timed out after {timeout:.0f} s waiting for {what}" + (f" (last error: {last_error})" if last_error else ""))


def visible(accessible):
    return accessible.getState().contains(pyatspi.STATE_VISIBLE)


def run(words, check=True):
    result = subprocess.run(words, capture_output=True, text=True, timeout=120)
    if check and result.returncode != 0:
        raise Failure(f"{' '.join(words)} exited {result.returncode}: {result.stderr.strip()}")
    return result


def notifications():
    try:
        with open(NOTIFY_LOG, encoding="utf-8") as notify_log:
            return [json.loads(line) for line in notify_log if line.strip()]
    except FileNotFoundError:
        return []


taken = set()


def screenshot(name):
    if name in taken:
        return
    taken.add(name)
    path = os.path.join(SHOTS, f"{FM}-{name}.png")
    time.sleep(0.4)  # the menu is in the tree before its first frame is drawn; let it paint
    run(["import", "-window", "root", path])
    log(f"screenshot {path}")


# ---- one file manager's ways -------------------------------------------------------------------

class Thunar:
    app_name = "thunar"
    # Thunar 4.18 puts custom actions straight into the context menu; the drop entries in a
    # "Drop As" submenu. Its right-click menu is a GtkMenu in a popup window of the application.
    file_path = ["Pick Link Source"]
    drop_path = ["Drop As"]

    def start(self):
        # List view: its rows are table cells named after the files (Thunar's icon view exposes
        # no children to accessibility). Preseeded in xfconf, as the View menu would store it.
        channel = os.path.join(os.environ["HOME"], ".config", "xfce4", "xfconf", "xfce-perchannel-xml")
        os.makedirs(channel, exist_ok=True)
        with open(os.path.join(channel, "thunar.xml"), "w", encoding="utf-8") as settings:
            settings.write('<?xml version="1.0" encoding="UTF-8"?>\n<channel name="thunar" version="1.0">\n'
                           '  <property name="last-view" type="string" value="ThunarDetailsView"/>\n'
                           '  <property name="last-window-width" type="int" value="1024"/>\n'
                           '  <property name="last-window-height" type="int" value="700"/>\n'
                           '  <property name="misc-show-delete-action" type="bool" value="false"/>\n'
                           '</channel>\n')
        return ["thunar", FOLDER]

    def quit(self):
        run(["thunar", "-q"], check=False)

    def shown(self, accessible):
        return accessible is not None and accessible.getState().contains(pyatspi.STATE_SHOWING)

    def row(self, app, name):
        return pyatspi.findDescendant(app, lambda a: a.getRoleName() == "table cell" and a.name == name and visible(a))

    def menu(self, app):
        for child in app:
            if child is not None and child.getRoleName() == "window" and child.getState().contains(pyatspi.STATE_SHOWING):
                found = pyatspi.findDescendant(child, lambda a: a.getRoleName() == "menu item" and visible(a))
                if found:
                    return child
        return None


class Nautilus:
    app_name = "org.gnome.Nautilus"
    # Nautilus shows scripts under Scripts ▸ Linksmith ▸ …, in a GTK 4 popover menu that exists
    # in the accessibility tree only while it is open.
    file_path = ["Scripts", "Linksmith", "Pick Link Source"]
    drop_path = ["Scripts", "Linksmith", "Drop As"]

    def start(self):
        run(["gsettings", "set", "org.gnome.nautilus.preferences", "default-folder-viewer", "list-view"])
        run(["gsettings", "set", "org.gnome.nautilus.window-state", "initial-size", "(1024, 700)"])
        return ["nautilus", "--new-window", FOLDER]

    def quit(self):
        run(["nautilus", "-q"], check=False)

    def shown(self, accessible):
        # GTK 4.8 sets no SHOWING state; VISIBLE is what it has
        return accessible is not None and visible(accessible)

    def row(self, app, name):
        # GTK 4.8's column view: table row > table cell > filler named after the file (> … > label)
        return pyatspi.findDescendant(app, lambda a: a.getRoleName() == "filler" and a.name == name and a.parent is not None and a.parent.getRoleName() == "table cell")

    def menu(self, app):
        return pyatspi.findDescendant(app, lambda a: a.getRoleName() == "menu" and a.name == "GtkPopoverMenu" and visible(a))


class Nemo(Thunar):
    app_name = "nemo"
    # Nemo actions sit on the top level of its GTK 3 menu: "Drop As Symbolic Link", … (an
    # action file cannot make a submenu). Its list view is a GtkTreeView, like Thunar's.
    file_path = ["Pick Link Source"]
    drop_path = []

    def drop_entry(self, label):
        return [f"Drop As {label}"]

    def usable(self, item):
        # Nemo keeps the menu for the folder background (which has its own "Drop As …", for the
        # folder shown) in the tree beside the open one: only an entry on the screen will do.
        return item.getState().contains(pyatspi.STATE_SHOWING)

    def start(self):
        run(["gsettings", "set", "org.nemo.preferences", "default-folder-viewer", "list-view"])
        run(["gsettings", "set", "org.nemo.window-state", "geometry", "1024x700+0+0"])
        return ["nemo", "--no-desktop", FOLDER]

    def quit(self):
        run(["nemo", "-q"], check=False)


fm = {"thunar": Thunar, "nautilus": Nautilus, "nemo": Nemo}[FM]()


# ---- the steps ----------------------------------------------------------------------------------

def application(required=True):
    desktop = pyatspi.Registry.getDesktop(0)
    app = next((app for app in desktop if app is not None and app.name == fm.app_name), None)
    if app is None and required and processes:
        state = "still running" if processes[-1].poll() is None else f"exited with {processes[-1].returncode}"
        raise Failure(f"{FM} left the accessibility tree ({state}; its log: {os.path.join(WORK, FM + '.log')})")
    return app


def forget_tree():
    """libatspi caches what it has read of the tree, and GTK 4.8 does not always announce what
    it adds (Nautilus's rows fill after the window is up): after a miss, read it afresh."""
    app = application(required=False)
    if app is not None:
        app.clear_cache()


def start_file_manager():
    words = fm.start()
    log(f"starting {' '.join(words)}")
    output = open(os.path.join(WORK, f"{FM}.log"), "a", encoding="utf-8")
    process = subprocess.Popen(words, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    processes.append(process)

    def up():
        app = application(required=False)
        if app is None and process.poll() is not None:
            with open(os.path.join(WORK, f"{FM}.log"), encoding="utf-8", errors="replace") as output_log:
                raise Failure(f"{FM} exited with {process.returncode} at start: {output_log.read().strip()[-400:]}")
        return app

    app = wait_for(f"{FM} in the accessibility tree", up, timeout=60)
    wait_for(f"{FM} to list notes.txt", lambda: fm.row(application(), "notes.txt"), timeout=60)
    log(f"{FM} is up")
    return app


def stop_file_manager():
    fm.quit()
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    processes.clear()
    wait_for(f"{FM} to leave the accessibility tree", lambda: application(required=False) is None, timeout=20)


def close_menu():
    if fm.menu(application()):
        Atspi.generate_keyboard_event(0xFF1B, None, Atspi.KeySynthType.SYM)  # Escape
        wait_for("the menu to close", lambda: not fm.menu(application()), timeout=10)


def open_menu(name):
    """Right-clicks the row of NAME where it is on the screen; the open menu's accessible."""
    close_menu()
    row = wait_for(f"the row {name}", lambda: fm.row(application(), name))
    extents = row.queryComponent().getExtents(pyatspi.DESKTOP_COORDS)
    x, y = extents.x + min(extents.width // 2, 20), extents.y + extents.height // 2
    # A click that lands while the last menu is still closing is swallowed by it, and a
    # loaded machine can take long to build a menu: up to three right-clicks, 20 s each.
    for attempt in range(1, 4):
        Atspi.generate_mouse_event(x, y, "b1c")
        time.sleep(0.3)  # a second click at once would be a double click, which opens the item
        Atspi.generate_mouse_event(x, y, "b3c")
        forget_tree()
        try:
            return wait_for(f"the context menu of {name}", lambda: fm.menu(application()), timeout=20)
        except Failure:
            if attempt == 3:
                raise
            log(f"no menu after right-click {attempt} on {name}; clicking again")
            Atspi.generate_keyboard_event(0xFF1B, None, Atspi.KeySynthType.SYM)  # Escape


def item_in(menu, name):
    return pyatspi.findDescendant(menu, lambda a: a.getRoleName() in ("menu item", "menu") and a.name == name and getattr(fm, "usable", lambda _: True)(a))


def activate(path, screenshot_name=None):
    """Walks the open menu along PATH (submenus, then the entry) and activates the last one."""
    for index, name in enumerate(path):
        item = wait_for(f"the menu entry {' ▸ '.join(path[: index + 1])}", lambda: item_in(fm.menu(application()), name), timeout=10)
        action = item.queryAction()
        if index == len(path) - 1 and screenshot_name:
            screenshot(screenshot_name)
        if not action.doAction(0):
            raise Failure(f"the menu entry {name} refused its action")
        if index < len(path) - 1:
            # the submenu is open once its first entry can be seen
            wait_for(f"the submenu {name} to open", lambda: fm.shown(item_in(fm.menu(application()), path[index + 1])), timeout=10)
    log(f"activated {' ▸ '.join(path)}")


def menu_names(menu):
    return {a.name for a in pyatspi.findAllDescendants(menu, lambda a: a.getRoleName() in ("menu item", "menu"))}


def notified(count, what):
    def probe():
        new = notifications()[count:]
        return next((n for n in new if n["app"] == "Linksmith"), None)

    note = wait_for(f"a notification after {what}", probe, timeout=30)
    log(f"notification: {note['summary']}: {note['body']}")
    if note["urgency"] == 2:
        raise Failure(f"{what} ended in an error notification: {note['body']}")
    return note


def pick(name):
    count = len(notifications())
    open_menu(name)
    activate(fm.file_path, screenshot_name="file-menu" if name == "notes.txt" else None)
    notified(count, f"picking {name}")
    wait_for(f"{name} in `linksmith picked`", lambda: os.path.join(FOLDER, name) in run(LINKSMITH + ["picked"]).stdout.splitlines(), timeout=15)


def drop(folder, label, check, screenshot_name=None):
    count = len(notifications())
    open_menu(folder)
    activate(fm.drop_entry(label) if hasattr(fm, "drop_entry") else fm.drop_path + [label], screenshot_name=screenshot_name)
    notified(count, f"Drop As ▸ {label} on {folder}")
    wait_for(f"the result of Drop As ▸ {label} in {folder}", check, timeout=30)
    log(f"on disk: Drop As ▸ {label} into {folder} made what it should")


def path(*parts):
    return os.path.join(FOLDER, *parts)


def symlinks_made():
    note, photos = path("drop-symlink", "notes.txt"), path("drop-symlink", "photos")
    return (os.path.islink(note) and os.path.samefile(note, path("notes.txt"))
            and os.path.islink(photos) and os.path.samefile(photos, path("photos")))


def hardlink_made():
    link = path("drop-hardlink", "notes.txt")
    return os.path.exists(link) and not os.path.islink(link) and os.path.samefile(link, path("notes.txt")) and os.stat(link).st_nlink == 2


def copy_made():
    copy = path("drop-copy", "photos", "a.jpg")
    if not os.path.isfile(copy) or os.path.islink(copy) or os.path.islink(path("drop-copy", "photos")):
        return False
    with open(copy, "rb") as a, open(path("photos", "a.jpg"), "rb") as b:
        return a.read() == b.read() and not os.path.samefile(copy, path("photos", "a.jpg"))


def linksmith_entries_in_menu(name):
    """Opens NAME's menu and lists the Linksmith entries it shows (Thunar: top level and Drop As;
    Nautilus: the Scripts ▸ Linksmith submenu, only there if the scripts are)."""
    menu = open_menu(name)
    ours = {"Pick Link Source", "Delete (never through links)", "Drop As", "Linksmith", "Symbolic Link", "Hard Link", "Smart Copy"}
    return {name for name in menu_names(menu) if name in ours or name.startswith("Drop As ")}


def main():
    for folder in ("photos", "drop-symlink", "drop-hardlink", "drop-copy"):
        os.makedirs(path(folder))
    with open(path("notes.txt"), "w", encoding="utf-8") as notes:
        notes.write("notes\n")
    with open(path("photos", "a.jpg"), "wb") as photo:
        photo.write(b"\xff\xd8 not really a photo\n")

    log("shell install: " + run(LINKSMITH + ["shell", "install", "--for", FM]).stdout.strip().replace("\n", "; "))
    start_file_manager()

    pick("notes.txt")
    pick("photos")
    drop("drop-symlink", "Symbolic Link", symlinks_made, screenshot_name="drop-as-menu")
    pick("notes.txt")
    drop("drop-hardlink", "Hard Link", hardlink_made)
    pick("photos")
    drop("drop-copy", "Smart Copy", copy_made)
    picked = run(LINKSMITH + ["picked"]).stdout.strip()
    if picked:
        raise Failure(f"after three successful drops something is still picked: {picked}")

    log("shell uninstall: " + run(LINKSMITH + ["shell", "uninstall", "--for", FM]).stdout.strip().replace("\n", "; "))
    left = run(LINKSMITH + ["shell", "status", "--for", FM]).stdout
    # The running file manager, first: does it drop the entries without a restart? (Each look
    # opens the menu afresh; a few looks, for a file manager that notices the change late.)
    deadline = time.monotonic() + 8
    while (entries := linksmith_entries_in_menu("notes.txt")) and time.monotonic() < deadline:
        close_menu()
        time.sleep(1)
    close_menu()
    live = not entries
    if live:
        log(f"the running {FM} dropped the entries at once")
    else:
        log(f"the running {FM} still shows {sorted(entries)} (it reads its entries when it starts); restarting it")
        stop_file_manager()
        start_file_manager()
    for name in ("notes.txt", "drop-copy"):
        entries = linksmith_entries_in_menu(name)
        if entries:
            raise Failure(f"after shell uninstall{'' if live else ' and a restart'} the menu of {name} still shows {sorted(entries)}")
        if name == "notes.txt":
            screenshot("after-uninstall")
        close_menu()
    log(f"after shell uninstall{'' if live else ' (and a restart)'} no Linksmith entry is in the menus of notes.txt and drop-copy")
    stop_file_manager()
    log(f"PASS ({time.monotonic() - started:.1f} s); status after uninstall: {left.strip().splitlines()[0] if left.strip() else '(empty)'}")


# A TERM from menu-test.sh (its timeout, or the user's Ctrl-C) still ends the file manager.
signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
try:
    main()
except Failure as failure:
    print(f"menu-driver: {FM}: FAIL: {failure}", file=sys.stderr, flush=True)
    try:
        screenshot("failure")
    except Exception:
        pass
    sys.exit(1)
finally:
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
