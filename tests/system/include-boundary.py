#!/usr/bin/env python3
"""The WebRTC library's boundary (docs/DESIGN.md, "The tree"): nothing under
webrtc/ includes a header from outside webrtc/, and its meson files take no
source from outside it. TAP output for meson.

A violation is a quoted #include (or one with a path of this tree in angle
brackets) that does not start with "webrtc/", or that climbs out with "..";
a meson.build under webrtc/ naming a path that leaves webrtc/. The check
also runs against a planted violation, so a checker that sees nothing fails.
"""
import os
import re
import sys
import tempfile

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)
# Top-level folders of this tree: an angle-bracket include naming one of
# them is ours, not a system header.
OURS = ('relay/', 'http/', 'pipelines/', 'tools/', 'tests/', 'web/', 'config/', 'bench/')


def violations(root):
    found = []
    top = os.path.join(root, 'webrtc')
    for folder, _dirs, files in os.walk(top):
        for name in files:
            path = os.path.join(folder, name)
            rel = os.path.relpath(path, root)
            if name.endswith(('.c', '.h')):
                text = open(path, encoding='utf-8', errors='replace').read()
                for m in INCLUDE.finditer(text):
                    kind, target = m.group(1), m.group(2)
                    line = text.count('\n', 0, m.start()) + 1
                    if kind == '"' and (not target.startswith('webrtc/') or '..' in target):
                        found.append('%s:%d: #include "%s"' % (rel, line, target))
                    elif kind == '<' and target.startswith(OURS + ('webrtc/',)):
                        found.append('%s:%d: #include <%s>' % (rel, line, target))
            elif name == 'meson.build':
                text = open(path, encoding='utf-8').read()
                for m in re.finditer(r"'([^']*\.\.[^']*)'", text):
                    # A path climbing out of webrtc/ (project_source_root()
                    # joins for test sources are allowed: tests live in tests/).
                    target = os.path.normpath(os.path.join(folder, m.group(1)))
                    if not target.startswith(top):
                        line = text.count('\n', 0, m.start()) + 1
                        found.append("%s:%d: '%s'" % (rel, line, m.group(1)))
    return found


def plant(root, body, name='planted.c'):
    os.makedirs(os.path.join(root, 'webrtc', 'base'), exist_ok=True)
    with open(os.path.join(root, 'webrtc', 'base', name), 'w') as f:
        f.write(body)


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..', '..')
    root = os.path.abspath(root)
    print('1..4')
    tree = violations(root)
    if tree:
        print('not ok 1 - nothing under webrtc/ reaches outside it')
        for v in tree:
            print('# ' + v)
    else:
        print('ok 1 - nothing under webrtc/ reaches outside it')
    cases = [
        ('a quoted include of the product is caught', '#include "webrtc/base/log.h"\n#include "relay/config/config.h"\n'),
        ('a climbing include is caught', '#include "webrtc/../http/http-util.h"\n'),
        ('an angle-bracket include of the product is caught', '#include <glib.h>\n#include <pipelines/ingest-pipeline.h>\n'),
    ]
    ok = not tree
    for n, (what, body) in enumerate(cases, start=2):
        with tempfile.TemporaryDirectory() as tmp:
            plant(tmp, body)
            caught = violations(tmp)
        if len(caught) == 1:
            print('ok %d - %s' % (n, what))
        else:
            ok = False
            print('not ok %d - %s (%d found)' % (n, what, len(caught)))
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
