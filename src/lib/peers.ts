/** What the peers panel derives from running downloads. Pure. */

import type { Activity } from "./library";

/** Each peer's current rate to us, summed over every running download; absent peers send 0. */
export function peerRates(activity: Record<string, Activity>): Record<string, number> {
  const rates: Record<string, number> = {};
  for (const a of Object.values(activity)) {
    if (a.kind !== "downloading") continue;
    for (const p of a.peers) rates[p.peer_id] = (rates[p.peer_id] ?? 0) + p.bytes_per_s;
  }
  return rates;
}

/** A peer address as people type it: host:port, an IPv4 or bracketed IPv6 host, or a name. */
export function isPeerAddress(text: string): boolean {
  const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(text.trim());
  if (!match) return false;
  const port = Number(match[2]);
  return port > 0 && port < 65536;
}
