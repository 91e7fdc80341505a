#!/usr/bin/env python3
"""An independent mDNS implementation (python-zeroconf) for the discovery tests.

  mdns.py browse SECONDS
      browses _lanparty._udp.local. and prints one JSON line per resolved service:
      {"name", "addresses", "port", "txt": {key: value}}
  mdns.py announce SECONDS NAME IP PORT KEY=VALUE...
      registers a _lanparty._udp.local. service with these TXT records for SECONDS
"""

import json
import socket
import sys
import time

from zeroconf import IPVersion, ServiceBrowser, ServiceInfo, Zeroconf

TYPE = "_lanparty._udp.local."


def browse(seconds: float) -> None:
    zc = Zeroconf(ip_version=IPVersion.V4Only)
    found = {}

    class Listener:
        def add_service(self, zc, type_, name):
            found[name] = None

        def update_service(self, zc, type_, name):
            found[name] = None

        def remove_service(self, zc, type_, name):
            pass

    ServiceBrowser(zc, TYPE, Listener())
    time.sleep(seconds)
    for name in sorted(found):
        info = zc.get_service_info(TYPE, name, timeout=2000)
        if info is None:
            continue
        txt = {k.decode(): (v.decode() if v is not None else None) for k, v in info.properties.items()}
        print(json.dumps({"name": name, "addresses": info.parsed_addresses(), "port": info.port, "txt": txt}), flush=True)
    zc.close()


def announce(seconds: float, name: str, ip: str, port: int, pairs: list) -> None:
    zc = Zeroconf(ip_version=IPVersion.V4Only)
    props = dict(p.split("=", 1) for p in pairs)
    info = ServiceInfo(TYPE, f"{name}.{TYPE}", addresses=[socket.inet_aton(ip)], port=port,
                       properties=props, server=f"{name}.local.")
    zc.register_service(info)
    print(json.dumps({"announced": name}), flush=True)
    time.sleep(seconds)
    zc.unregister_service(info)
    zc.close()


if __name__ == "__main__":
    if sys.argv[1] == "browse":
        browse(float(sys.argv[2]))
    else:
        announce(float(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5]), sys.argv[6:])
