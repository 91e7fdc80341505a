/** Builders of runtime values for tests. */

import type { GameInfo, PeerInfo, Settings } from "../api";

export function game(overrides: Partial<GameInfo> & { id: string }): GameInfo {
  return {
    title: overrides.id,
    genre: "Shooter",
    description: "",
    players: { min: 1, max: 16 },
    can_host_server: false,
    catalog_version: "1.0",
    version: null,
    downloaded: false,
    installed: false,
    shareable: false,
    manifest_hash: null,
    size: 1024 * 1024 * 1024,
    files: 0,
    source: "catalog",
    peers: 1,
    latest_version: "1.0",
    update_available: false,
    copies: [],
    ...overrides,
  };
}

/** A game downloaded (and, with `installed`, installed) at version 1.0. */
export function localGame(overrides: Partial<GameInfo> & { id: string }): GameInfo {
  return game({ version: "1.0", downloaded: true, shareable: true, peers: 0, ...overrides });
}

export function peer(overrides: Partial<PeerInfo> & { peer_id: string }): PeerInfo {
  return {
    short_id: overrides.peer_id.slice(0, 6),
    name: overrides.peer_id,
    addr: "192.168.1.2:7878",
    games: 0,
    rtt_ms: 1,
    ...overrides,
  };
}

export function settings(overrides: Partial<Settings> = {}): Settings {
  return {
    games_dir: "/games",
    username: "Player",
    language: "english",
    upload_limit_mib_s: null,
    manual_peers: [],
    ...overrides,
  };
}
