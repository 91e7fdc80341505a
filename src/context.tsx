/**
 * The app's stores, created once from an `Api` and handed down by context: the real app passes
 * the Tauri-backed api, tests a fake one.
 */

import { createContext, createSignal, type ParentComponent, useContext } from "solid-js";

import type { Api, RuntimeState } from "./api";
import { createLibraryStore, type LibraryStore } from "./features/library/store";
import { createPeersStore, type PeersStore } from "./features/peers/store";
import { createSettingsStore, type SettingsStore } from "./features/settings/store";
import { createToastStore, type ToastStore, type Tone } from "./features/toasts/store";

export type View = "library" | "downloads" | "peers" | "logs" | "settings";
export type LogsTab = "app" | "unpack" | "server";

export interface AppStores {
  api: Api;
  toasts: ToastStore;
  settings: SettingsStore;
  library: LibraryStore;
  peers: PeersStore;
  view: () => View;
  setView(view: View): void;
  runtime: () => RuntimeState | null;
  setRuntime(state: RuntimeState): void;
  /** The logs view's tab, kept while other views are shown. */
  logsTab: () => LogsTab;
  setLogsTab(tab: LogsTab): void;
  /** The game whose server log the logs view shows; null for the newest. */
  serverLogGame: () => string | null;
  setServerLogGame(game: string | null): void;
  /** Opens the logs view on the server log of `game`. */
  showServerLog(game: string): void;
}

export function createAppStores(api: Api, options: { toastMs?: Record<Tone, number> } = {}): AppStores {
  // The library names games in errors; it is made after the toasts it reports through, and
  // no error is shown before both exist.
  const toasts = createToastStore(options.toastMs, (game) => library.titleOf(game));
  const library = createLibraryStore(api, toasts);
  const [view, setView] = createSignal<View>("library");
  const [runtime, setRuntime] = createSignal<RuntimeState | null>(null);
  const [logsTab, setLogsTab] = createSignal<LogsTab>("app");
  const [serverLogGame, setServerLogGame] = createSignal<string | null>(null);
  return {
    api,
    toasts,
    settings: createSettingsStore(api, toasts),
    library,
    peers: createPeersStore(api, toasts),
    view,
    setView,
    runtime,
    setRuntime,
    logsTab,
    setLogsTab,
    serverLogGame,
    setServerLogGame,
    showServerLog: (game) => {
      setServerLogGame(game);
      setLogsTab("server");
      setView("logs");
    },
  };
}

const AppContext = createContext<AppStores>();

export const AppProvider: ParentComponent<{ stores: AppStores }> = (props) => (
  <AppContext.Provider value={props.stores}>{props.children}</AppContext.Provider>
);

export function useApp(): AppStores {
  const stores = useContext(AppContext);
  if (!stores) throw new Error("useApp() needs an <AppProvider> above it");
  return stores;
}
