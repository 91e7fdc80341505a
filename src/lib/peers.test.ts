import { describe, expect, it } from "vitest";

import { isPeerAddress, peerRates } from "./peers";

describe("peerRates", () => {
  it("sums a peer's rates over all downloads and ignores installs", () => {
    const download = (peers: [string, number][]) => ({
      kind: "downloading" as const,
      update: false,
      version: "1",
      bytesDone: 0,
      bytesTotal: 10,
      bytesPerS: 0,
      etaS: null,
      peers: peers.map(([peer_id, bytes_per_s]) => ({ peer_id, name: peer_id, bytes_per_s })),
      ticks: 1,
    });
    expect(
      peerRates({
        a: download([
          ["p1", 100],
          ["p2", 50],
        ]),
        b: download([["p1", 25]]),
        c: { kind: "installing", update: false, bytesDone: 0, bytesTotal: 1 },
      }),
    ).toEqual({ p1: 125, p2: 50 });
  });
});

describe("isPeerAddress", () => {
  it.each(["192.168.1.20:7878", "[fe80::1]:7878", "gamebox.local:7878", " 10.0.0.2:1 "])(
    "accepts %s",
    (addr) => expect(isPeerAddress(addr)).toBe(true),
  );

  it.each(["", "192.168.1.20", "10.0.0.2:0", "10.0.0.2:65536", "a b:1", "http://x:1"])(
    "rejects %s",
    (addr) => expect(isPeerAddress(addr)).toBe(false),
  );
});
