/**
 * Connected peers, fed by `peer-*` events with the list re-read after each join, plus adding a
 * peer by address and the network diagnosis shown when no peer turns up.
 */

import { createSignal } from "solid-js";
import { createStore, produce, reconcile } from "solid-js/store";

import type { Api, NetworkDiagnosis, PeerInfo, RuntimeEvent } from "../../api";
import type { ToastStore } from "../toasts/store";

/** How long discovery gets before the launcher explains why no peer turned up. */
export const DISCOVERY_GRACE_MS = 10_000;

export interface PeersStore {
  readonly peers: Readonly<Record<string, PeerInfo>>;
  list: () => PeerInfo[];
  loaded: () => boolean;
  /** True once discovery had its grace period and found nobody (until a peer joins). */
  lonely: () => boolean;
  diagnosis: () => NetworkDiagnosis | null;
  diagnosing: () => boolean;
  load(): Promise<void>;
  apply(event: RuntimeEvent): void;
  /** Adds a manual peer; true when the runtime accepted it. */
  add(addr: string): Promise<boolean>;
  remove(addr: string): Promise<boolean>;
  diagnose(): Promise<void>;
  /** Starts the grace period; returns a function that stops it. */
  watch(graceMs?: number): () => void;
}

export function createPeersStore(api: Api, toasts: ToastStore): PeersStore {
  const [peers, setPeers] = createStore<Record<string, PeerInfo>>({});
  const [loaded, setLoaded] = createSignal(false);
  const [graceOver, setGraceOver] = createSignal(false);
  const [diagnosis, setDiagnosis] = createSignal<NetworkDiagnosis | null>(null);
  const [diagnosing, setDiagnosing] = createSignal(false);

  const list = () => Object.values(peers).sort((a, b) => a.name.localeCompare(b.name));

  const load = async () => {
    try {
      const all = await api.peersList();
      setPeers(reconcile(Object.fromEntries(all.map((p) => [p.peer_id, p]))));
    } catch {
      // Peers are re-read on the next join; the library load already reported a dead runtime.
    } finally {
      setLoaded(true);
    }
  };

  const diagnose = async () => {
    setDiagnosing(true);
    try {
      setDiagnosis(await api.peersDiagnose());
    } catch (error) {
      toasts.error(error);
    } finally {
      setDiagnosing(false);
    }
  };

  const apply = (event: RuntimeEvent) => {
    switch (event.type) {
      case "peer-joined":
        setPeers(event.peer_id, (known) => ({
          games: known?.games ?? 0,
          rtt_ms: known?.rtt_ms ?? 0,
          peer_id: event.peer_id,
          short_id: event.short_id,
          name: event.name,
          addr: event.addr,
        }));
        void load();
        break;
      case "peer-left":
        setPeers(produce((all) => delete all[event.peer_id]));
        break;
      case "peer-library-changed":
        if (peers[event.peer_id]) setPeers(event.peer_id, "games", event.games);
        break;
      default:
        break;
    }
  };

  return {
    peers,
    list,
    loaded,
    lonely: () => graceOver() && list().length === 0,
    diagnosis,
    diagnosing,
    load,
    apply,
    add: async (addr) => {
      try {
        await api.peersAdd(addr.trim());
        void load();
        return true;
      } catch (error) {
        toasts.error(error);
        return false;
      }
    },
    remove: async (addr) => {
      try {
        await api.peersRemove(addr);
        void load();
        return true;
      } catch (error) {
        toasts.error(error);
        return false;
      }
    },
    diagnose,
    watch: (graceMs = DISCOVERY_GRACE_MS) => {
      const timer = setTimeout(() => {
        setGraceOver(true);
        if (list().length === 0) void diagnose();
      }, graceMs);
      return () => clearTimeout(timer);
    },
  };
}
