/**
 * An `Api` for tests: every command is a `vi.fn` with a plausible answer, and `emit` plays a
 * runtime event to whoever listens, the way the shell's event bridge would.
 */

import { vi } from "vitest";

import type { Api, EventsLagged, GameInfo, PeerInfo, RuntimeEvent, RuntimeState, Settings } from "../api";
import { settings as makeSettings } from "./fixtures";

type Mocked<T> = { [K in keyof T]: T[K] extends (...args: infer A) => infer R ? ReturnType<typeof vi.fn<(...args: A) => R>> : T[K] };

export type FakeApi = Mocked<Api> & {
  emit(event: RuntimeEvent): void;
  emitState(state: RuntimeState): void;
  emitLagged(lag: EventsLagged): void;
};

export function fakeApi(init: { settings?: Partial<Settings>; games?: GameInfo[]; peers?: PeerInfo[] } = {}): FakeApi {
  let current: Settings = makeSettings(init.settings);
  const eventListeners = new Set<(event: RuntimeEvent) => void>();
  const stateListeners = new Set<(state: RuntimeState) => void>();
  const lagListeners = new Set<(lag: EventsLagged) => void>();
  const started = (game: string) => ({ game, version: "1.0", update: false, bytes_total: 1000, bytes_done: 0 });
  const launched = { script: "game_start.cmd", pid: 1, setup_ran: false, stamped: [], log: null };

  const api: Mocked<Api> = {
    // Copies: the store takes ownership of what it is given, as it does of what crosses IPC.
    libraryList: vi.fn(async () => ({ available: true, games: structuredClone(init.games ?? []), ignored: [] })),
    libraryStatus: vi.fn(async () => ({
      available: true,
      games: 0,
      shareable: 0,
      scanning: false,
      hashed_bytes: 0,
      cached_files: 0,
    })),
    libraryRescan: vi.fn(async () => ({
      full: true,
      available: true,
      roots: 0,
      files: 0,
      hashed_files: 0,
      hashed_bytes: 0,
      ms: 0,
    })),
    gameDownload: vi.fn(async (game: string) => started(game)),
    gameUpdate: vi.fn(async (game: string) => ({ ...started(game), update: true })),
    gameCancel: vi.fn(async () => {}),
    gameInstall: vi.fn(async () => {}),
    gameUninstall: vi.fn(async () => {}),
    gameRemove: vi.fn(async () => {}),
    gamePlay: vi.fn(async () => launched),
    gameStartServer: vi.fn(async () => launched),
    gameShowFiles: vi.fn(async () => {}),
    gameCover: vi.fn(async () => null),
    peersList: vi.fn(async () => structuredClone(init.peers ?? [])),
    peersAdd: vi.fn(async () => {}),
    peersRemove: vi.fn(async () => {}),
    peersDiagnose: vi.fn(async () => ({
      interfaces: [
        {
          name: "eth0",
          ipv4: "192.168.1.5",
          prefix_len: 24,
          is_up: true,
          is_loopback: false,
          is_link_local: false,
          is_point_to_point: false,
          is_multicast_capable: true,
        },
      ],
      port: 7878,
      mdns: { state: "running" as const },
      hints: ["Allow Lanparty through the firewall."],
    })),
    operationsList: vi.fn(async (): Promise<[string, string][]> => []),
    unpackLog: vi.fn(async () => []),
    appLog: vi.fn(async () => []),
    serverLogs: vi.fn(async () => []),
    settingsGet: vi.fn(async () => current),
    settingsSet: vi.fn(async (next: Settings) => {
      current = next;
      return next;
    }),
    settingsCheckFolder: vi.fn(async (path: string) => ({
      path,
      exists: true,
      is_dir: true,
      is_writable: true,
      is_ok: true,
      message: null,
    })),
    appVersion: vi.fn(async () => "0.1.0"),
    appStatus: vi.fn(async () => ({ state: "running" as const, message: null })),
    appInfo: vi.fn(async () => ({
      version: "0.1.0",
      peer_id: "abcdef0123",
      short_id: "abcdef",
      name: "Player",
      port: 7878,
      state_dir: "/state",
      games_dir: current.games_dir,
    })),
    pickFolder: vi.fn(async () => "/picked"),
    onRuntimeEvent: vi.fn(async (listener: (event: RuntimeEvent) => void) => {
      eventListeners.add(listener);
      return () => eventListeners.delete(listener);
    }),
    onRuntimeState: vi.fn(async (listener: (state: RuntimeState) => void) => {
      stateListeners.add(listener);
      return () => stateListeners.delete(listener);
    }),
    onEventsLagged: vi.fn(async (listener: (lag: EventsLagged) => void) => {
      lagListeners.add(listener);
      return () => lagListeners.delete(listener);
    }),
  };

  return Object.assign(api, {
    emit: (event: RuntimeEvent) => eventListeners.forEach((l) => l(event)),
    emitState: (state: RuntimeState) => stateListeners.forEach((l) => l(state)),
    emitLagged: (lag: EventsLagged) => lagListeners.forEach((l) => l(lag)),
  });
}
