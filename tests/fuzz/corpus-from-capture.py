#!/usr/bin/env python3
"""Turns what a relay captured with BRIEFING_CAPTURE_DIR (webrtc/base/input-capture.h)
into the seed corpus of the fuzz harnesses: a few dozen small files per
harness, one of each kind of input seen (a "signature" per harness), the
smallest of its kind. Files are named capture-<sha1 prefix> of their
contents, so that a new capture of the same traffic changes nothing; the
capture-* files of a harness are replaced when the capture has inputs for
it, regression-* files (crashes found and fixed) are never touched.

  corpus-from-capture.py CAPTURE_DIR CORPUS_DIR [EXTRA_CONFIG_FILE...]
"""
import hashlib
import os
import re
import struct
import sys

LIMIT = 40          # files per harness at most
MAX_FILE = 16384    # bytes per file at most (a packet stream is cut there)


def records(path):
    """(direction, bytes) of a packet stream file."""
    with open(path, 'rb') as f:
        data = f.read()
    off = 0
    while off + 5 <= len(data):
        direction = chr(data[off])
        (n,) = struct.unpack('>I', data[off + 1:off + 5])
        off += 5
        if off + n > len(data):
            break
        yield direction, data[off:off + n]
        off += n


def items(capture, kind):
    d = os.path.join(capture, kind)
    if not os.path.isdir(d):
        return []
    out = []
    for name in sorted(os.listdir(d)):
        with open(os.path.join(d, name), 'rb') as f:
            out.append(f.read())
    return out


def streams(capture, kind):
    d = os.path.join(capture, kind)
    if not os.path.isdir(d):
        return []
    return [list(records(os.path.join(d, name))) for name in sorted(os.listdir(d))]


class Selection:
    """The smallest input of each signature, at most LIMIT of them."""

    def __init__(self):
        self.best = {}

    def add(self, signature, data):
        if not data or len(data) > MAX_FILE:
            return
        old = self.best.get(signature)
        if old is None or (len(data), data) < (len(old), old):
            self.best[signature] = data

    def files(self):
        chosen = sorted(self.best.items(), key=lambda kv: (len(kv[1]), repr(kv[0])))
        return [data for _, data in chosen[:LIMIT]]


# ---- RTP -------------------------------------------------------------------

def rtp_fields(p):
    if len(p) < 12 or p[0] >> 6 != 2:
        return None
    cc = p[0] & 0x0f
    off = 12 + 4 * cc
    ext_profile, ext_ids = 0, ()
    if p[0] & 0x10 and off + 4 <= len(p):
        ext_profile = struct.unpack('>H', p[off:off + 2])[0]
        ext_len = 4 * struct.unpack('>H', p[off + 2:off + 4])[0]
        ext = p[off + 4:off + 4 + ext_len]
        ids = []
        i = 0
        while ext_profile == 0xBEDE and i < len(ext):
            if ext[i] == 0:
                i += 1
                continue
            ids.append(ext[i] >> 4)
            i += 2 + (ext[i] & 0x0f)
        ext_ids = tuple(ids)
        off += 4 + ext_len
    pad = p[-1] if p[0] & 0x20 else 0
    payload = p[off:len(p) - pad]
    return {'pt': p[1] & 0x7f, 'marker': p[1] >> 7, 'cc': cc, 'ext_profile': ext_profile,
            'ext_ids': ext_ids, 'padding': pad > 0, 'payload': payload}


def size_class(n):
    return 0 if n == 0 else 1 if n < 100 else 2 if n < 500 else 3


def select_rtp(capture):
    rtp, keyframe = Selection(), Selection()
    for stream in streams(capture, 'rtp'):
        for _, p in stream:
            f = rtp_fields(p)
            if not f:
                continue
            rtp.add((f['pt'], f['marker'], f['cc'], f['ext_profile'], f['ext_ids'], f['padding'],
                     size_class(len(f['payload']))), p)
            pl = f['payload']
            if len(pl) >= 2:
                keyframe.add((f['pt'], pl[0], pl[1] & 0xf0), p)
    return rtp.files(), keyframe.files()


# ---- RTCP ------------------------------------------------------------------

def select_rtcp(capture):
    sel = Selection()
    for stream in streams(capture, 'rtcp'):
        for _, p in stream:
            shape = []
            off = 0
            while off + 4 <= len(p):
                shape.append((p[off + 1], p[off] & 0x1f))
                off += 4 * (struct.unpack('>H', p[off + 2:off + 4])[0] + 1)
            sel.add(tuple(shape), p)
    return sel.files()


# ---- SCTP (and DCEP inside it) ---------------------------------------------

DATA, INIT, INIT_ACK, SACK, COOKIE_ECHO, COOKIE_ACK, NR_SACK = 0, 1, 2, 3, 10, 11, 16
IDATA, RECONFIG, FORWARD_TSN, IFORWARD_TSN = 64, 130, 192, 194
HANDSHAKE = {INIT, INIT_ACK, COOKIE_ECHO, COOKIE_ACK}


def chunks(p):
    off = 12
    while off + 4 <= len(p):
        clen = struct.unpack('>H', p[off + 2:off + 4])[0]
        if clen < 4:
            break
        yield off, p[off], p[off:off + clen]
        off += (clen + 3) & ~3


def init_tsn(p):
    for _, ctype, c in chunks(p):
        if ctype in (INIT, INIT_ACK) and len(c) >= 20:
            return struct.unpack('>I', c[16:20])[0]
    return None


def sub32(buf, off, end, base):
    if off + 4 <= end:
        v = struct.unpack('>I', buf[off:off + 4])[0]
        buf[off:off + 4] = struct.pack('>I', (v - base) & 0xffffffff)


def relative(p, peer_tsn, relay_tsn):
    """The packet as tests/fuzz/fuzz-sctp.c expects it: handshake chunks
    left out, TSNs relative (the inverse of the harness's rebase()), vtag 1
    (any non-zero: the harness writes the association's), checksum 0."""
    kept = bytearray()
    for _, ctype, c in chunks(p):
        if ctype in HANDSHAKE:
            continue
        c = bytearray(c)
        end = len(c)
        if ctype in (DATA, IDATA, FORWARD_TSN, IFORWARD_TSN):
            sub32(c, 4, end, peer_tsn)
        elif ctype in (SACK, NR_SACK):
            sub32(c, 4, end, relay_tsn)
        elif ctype == RECONFIG:
            par = 4
            while par + 4 <= end:
                ptype, plen = struct.unpack('>HH', c[par:par + 4])
                if plen < 4:
                    break
                pend = min(par + plen, end)
                if ptype == 13:
                    sub32(c, par + 4, pend, peer_tsn)
                    sub32(c, par + 8, pend, relay_tsn)
                    sub32(c, par + 12, pend, peer_tsn)
                elif ptype in (14, 15, 17, 18):
                    sub32(c, par + 4, pend, peer_tsn)
                elif ptype == 16:
                    sub32(c, par + 4, pend, relay_tsn)
                par += (plen + 3) & ~3
        kept += c + b'\0' * ((-len(c)) % 4)
    if not kept:
        return None
    return bytes(p[0:4]) + struct.pack('>II', 1, 0) + bytes(kept)


def associations(stream):
    """Splits a session's packets where the peer starts a new association."""
    current = []
    for direction, p in stream:
        if direction == '<' and current and any(t == INIT for _, t, _ in chunks(p)):
            yield current
            current = []
        current.append((direction, p))
    if current:
        yield current


def select_sctp(capture):
    sessions, dcep = [], Selection()
    for stream in streams(capture, 'sctp'):
        for assoc in associations(stream):
            peer_tsn = relay_tsn = None
            for direction, p in assoc:
                tsn = init_tsn(p)
                if tsn is None:
                    continue
                if direction == '<' and peer_tsn is None:
                    peer_tsn = tsn
                elif direction == '>' and relay_tsn is None:
                    relay_tsn = tsn
            if peer_tsn is None or relay_tsn is None:
                continue
            packets = []
            for direction, p in assoc:
                if direction != '<':
                    continue
                for _, ctype, c in chunks(p):
                    if ctype == DATA and len(c) >= 16:
                        ppid = struct.unpack('>I', c[12:16])[0]
                        if ppid == 50:
                            dcep.add(bytes(c[16:]), bytes(c[16:]))
                r = relative(p, peer_tsn, relay_tsn)
                if r:
                    packets.append(r)
            if packets:
                sessions.append(packets)
    sel = Selection()
    for packets in sessions:
        # The whole session as far as MAX_FILE allows, and its first
        # packets alone: DATA is only delivered from the first TSN on.
        for n in (1, 2, 4, 8, 16, 32, len(packets)):
            body = b''.join(struct.pack('>H', len(p)) + p for p in packets[:n])
            while len(body) > MAX_FILE and n > 1:
                n -= 1
                body = b''.join(struct.pack('>H', len(p)) + p for p in packets[:n])
            shape = tuple(sorted({t for p in packets[:n] for _, t, _ in chunks(p)}))
            sel.add((shape, n), body)
    return sel.files(), dcep.files()


# ---- text inputs -----------------------------------------------------------

def select_unique(inputs, signature):
    sel = Selection()
    for data in inputs:
        sel.add(signature(data), data)
    return sel.files()


def offer_signature(data):
    text = data.decode('utf-8', 'replace')
    mlines = tuple(' '.join(l.split()[:3] + l.split()[3:6]) for l in text.splitlines()
                   if l.startswith('m='))
    attrs = tuple(sorted({l.split(':', 1)[0] for l in text.splitlines() if l.startswith('a=')}))
    return (mlines, attrs, 'a=candidate' in text)


def shape(data):
    """Digits and letters folded: one file per form of a header or query."""
    text = data.decode('utf-8', 'replace')
    return re.sub(r'[0-9]+', '0', re.sub(r'=[^&]*', '=', text))


def fragment_signature(data):
    text = data.decode('utf-8', 'replace')
    lines = text.splitlines()
    return (tuple(sorted({l.split(':', 1)[0] for l in lines})),
            tuple(sorted(set(re.findall(r'typ (\w+)', text)))),
            tuple(sorted(set(re.findall(r' (UDP|TCP|udp|tcp) ', text)))), text.count('\n') > 3)


def config_text(data):
    """A test's config names its temporary directory: one name for all, so
    that the same config captured again is the same file."""
    return re.sub(rb'/tmp/briefing-[A-Za-z0-9_-]+', b'/tmp/briefing-test', data)


def figures_signature(data):
    text = data.decode('utf-8', 'replace')
    return tuple(sorted(set(re.findall(r'"([a-z_]+)":', text)))) + (
        tuple(sorted(set(re.findall(r':(-?[0-9.eE+]+|true|false|null|"[^"]*")', text))))[:6],)


def write(corpus, harness, files):
    if not files:
        return 0
    d = os.path.join(corpus, harness)
    os.makedirs(d, exist_ok=True)
    for name in os.listdir(d):
        if name.startswith('capture-'):
            os.remove(os.path.join(d, name))
    for data in files:
        name = 'capture-' + hashlib.sha1(data).hexdigest()[:16]
        with open(os.path.join(d, name), 'wb') as f:
            f.write(data)
    return len(files)


def main():
    capture, corpus = sys.argv[1], sys.argv[2]
    extra_configs = []
    for path in sys.argv[3:]:
        with open(path, 'rb') as f:
            extra_configs.append(f.read())
    rtp, keyframe = select_rtp(capture)
    sctp, dcep = select_sctp(capture)
    out = {
        'rtp': rtp,
        'keyframe': keyframe,
        'rtcp': select_rtcp(capture),
        'sctp': sctp,
        'dcep': dcep,
        'sdp-offer': select_unique(items(capture, 'sdp-offer'), offer_signature),
        'sdp-fragment': select_unique(items(capture, 'sdp-fragment'), fragment_signature),
        'figures': select_unique(items(capture, 'figures'), figures_signature),
        'http-range': select_unique(items(capture, 'http-range'), shape),
        'http-query': select_unique(items(capture, 'http-query'), shape),
        'events-message': select_unique(items(capture, 'events-message'), shape),
        'config': select_unique([config_text(d) for d in items(capture, 'config')] + extra_configs,
                                lambda d: d),
    }
    for harness, files in sorted(out.items()):
        n = write(corpus, harness, files)
        print(f'{harness}: {n} files' if n else f'{harness}: nothing captured, corpus kept')


if __name__ == '__main__':
    main()
