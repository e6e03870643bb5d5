#!/usr/bin/env python3
# fake_pccs.py — a stand-in PCCS for tests/cli/test_attest.sh: serves the
# PCS API v4 paths (pckcrl, tcb, qe/identity, rootcacrl) from a collateral
# JSON file (the samples' format), with the issuer chains URL-encoded in
# response headers as Intel's PCS does. Listens on 127.0.0.1 only, writes
# its port to PORTFILE and logs each request path to LOGFILE.
# Usage: fake_pccs.py COLLATERAL.json PORTFILE LOGFILE
import json, sys, urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

coll = json.load(open(sys.argv[1]))
log = open(sys.argv[3], "a")

class H(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def send(self, body, headers):
        self.send_response(200)
        for k, v in headers.items():
            self.send_header(k, urllib.parse.quote(v, safe=""))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        log.write(self.path + "\n")
        log.flush()
        p = urllib.parse.urlparse(self.path)
        if p.path == "/sgx/certification/v4/pckcrl":
            self.send(bytes.fromhex(coll["pck_crl"]),
                      {"SGX-PCK-CRL-Issuer-Chain": coll["pck_crl_issuer_chain"]})
        elif p.path.endswith("/certification/v4/tcb"):
            body = '{"tcbInfo":%s,"signature":"%s"}' % (coll["tcb_info"], coll["tcb_info_signature"])
            self.send(body.encode(), {"TCB-Info-Issuer-Chain": coll["tcb_info_issuer_chain"]})
        elif p.path.endswith("/certification/v4/qe/identity"):
            body = '{"enclaveIdentity":%s,"signature":"%s"}' % (coll["qe_identity"], coll["qe_identity_signature"])
            self.send(body.encode(), {"SGX-Enclave-Identity-Issuer-Chain": coll["qe_identity_issuer_chain"]})
        elif p.path == "/sgx/certification/v4/rootcacrl":
            self.send(coll["root_ca_crl"].encode(), {})
        else:
            self.send_error(404)

srv = HTTPServer(("127.0.0.1", 0), H)
open(sys.argv[2], "w").write(str(srv.server_address[1]))
srv.serve_forever()
