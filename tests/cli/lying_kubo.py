#!/usr/bin/env python3
"""lying_kubo.py: a fake Kubo RPC API on 127.0.0.1 for tests/cli/
test_store_lying_ipfs.sh. It serves the blocks of a decc blockstore
directory (blocks/<xx>/<key>.data, key = base32 of the multihash) on
/api/v0/block/get and the file on /api/v0/cat, and lies as MODE says:

  honest      block/get answers the stored blocks; cat answers LIE bytes
  leaf        the second leaf (in link order) of the root is replaced by
              a block of the same length full of the LIE marker
  root        the root block itself is replaced by the LIE marker
  oversize    every block/get answers 3 MiB of the LIE marker
  error       every block/get answers HTTP 500 with a Kubo JSON error

Usage: lying_kubo.py STORE_DIR ROOT_CID MODE PORT_FILE
It binds port 0 and writes the port to PORT_FILE once listening.
"""
import base64
import http.server
import os
import sys
import urllib.parse

LIE = b"LIE-LIE-LIE-"
B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def varint(b, i):
    v = s = 0
    while True:
        c = b[i]
        i += 1
        v |= (c & 0x7F) << s
        s += 7
        if c < 0x80:
            return v, i


def cid_multihash(text):
    """The multihash of a CIDv0 (base58btc) or CIDv1 (base32 'b...')."""
    if text.startswith("/ipfs/"):
        text = text[6:]
    if text.startswith("Qm"):
        n = 0
        for ch in text:
            n = n * 58 + B58.index(ch)
        return n.to_bytes(34, "big")
    if text.startswith("b"):
        s = text[1:].upper()
        raw = base64.b32decode(s + "=" * (-len(s) % 8))
        _, i = varint(raw, 0)  # version
        _, i = varint(raw, i)  # codec
        return raw[i:]
    raise ValueError("unsupported CID " + text)


def store_key(mh):
    return base64.b32encode(mh).decode().rstrip("=").lower()


def links(block):
    """Link multihashes of a dag-pb block (field 2 = PBLink, its field 1 = Hash)."""
    out, i = [], 0
    while i < len(block):
        key, i = varint(block, i)
        field, wire = key >> 3, key & 7
        if wire == 0:
            _, i = varint(block, i)
            continue
        n, i = varint(block, i)
        body = block[i:i + n]
        i += n
        if field == 2:
            j = 0
            while j < len(body):
                k, j = varint(body, j)
                if (k & 7) == 0:  # Tsize
                    _, j = varint(body, j)
                    continue
                m, j = varint(body, j)
                if k >> 3 == 1:
                    cid = body[j:j + m]
                    # CIDv0 link = bare multihash; CIDv1 = 0x01 codec mh
                    if cid[0] == 0x01:
                        _, p = varint(cid, 1)
                        cid = cid[p:]
                    out.append(cid)
                j += m
    return out


def main():
    store, root, mode, port_file = sys.argv[1:5]
    blocks = {}
    for dirpath, _, files in os.walk(os.path.join(store, "blocks")):
        for f in files:
            if f.endswith(".data"):
                with open(os.path.join(dirpath, f), "rb") as fh:
                    blocks[f[:-5]] = fh.read()
    root_key = store_key(cid_multihash(root))
    lie_keys = set()
    if mode == "root":
        lie_keys.add(root_key)
    elif mode == "leaf":
        kids = links(blocks[root_key])
        lie_keys.add(store_key(kids[1]))

    class H(http.server.BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def send(self, code, body, ctype="application/octet-stream"):
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            u = urllib.parse.urlparse(self.path)
            arg = urllib.parse.parse_qs(u.query).get("arg", [""])[0]
            if u.path == "/api/v0/cat":
                return self.send(200, LIE * 1000, "text/plain")
            if u.path != "/api/v0/block/get":
                return self.send(404, b"404 page not found", "text/plain")
            if mode == "error":
                return self.send(500, b'{"Message":"block not found","Code":0,'
                                      b'"Type":"error"}', "application/json")
            if mode == "oversize":
                return self.send(200, LIE * (3 * 1024 * 1024 // len(LIE) + 1))
            key = store_key(cid_multihash(arg))
            if key not in blocks:
                return self.send(500, b'{"Message":"not found","Code":0,'
                                      b'"Type":"error"}', "application/json")
            b = blocks[key]
            if key in lie_keys:
                b = (LIE * (len(b) // len(LIE) + 1))[:len(b)]
            self.send(200, b)

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
    tmp = port_file + ".tmp"
    with open(tmp, "w") as fh:
        fh.write(str(srv.server_address[1]))
    os.rename(tmp, port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()
