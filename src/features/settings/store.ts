/** The player's settings: read once, saved whole, and the UI language that follows them. */

import { createSignal } from "solid-js";

import type { Api, FolderCheck, Settings } from "../../api";
import { localeForLanguage, setLocale, t } from "../../i18n";
import { errorText } from "../../lib/messages";
import type { ToastStore } from "../toasts/store";

export interface SettingsStore {
  /** Null until loaded. */
  settings: () => Settings | null;
  /** The failure of the first load, if it failed. */
  loadError: () => string | null;
  load(): Promise<void>;
  /** Saves and answers the saved settings; throws the command's error for the caller to show. */
  save(next: Settings): Promise<Settings>;
  checkFolder(path: string): Promise<FolderCheck>;
}

export function createSettingsStore(api: Api, toasts: ToastStore): SettingsStore {
  const [settings, setSettings] = createSignal<Settings | null>(null);
  const [loadError, setLoadError] = createSignal<string | null>(null);

  const take = (next: Settings) => {
    setSettings(next);
    setLocale(localeForLanguage(next.language));
  };

  return {
    settings,
    loadError,
    load: async () => {
      try {
        take(await api.settingsGet());
        setLoadError(null);
      } catch (error) {
        setLoadError(errorText(error, t));
        toasts.error(error);
      }
    },
    save: async (next) => {
      const saved = await api.settingsSet(next);
      take(saved);
      return saved;
    },
    checkFolder: (path) => api.settingsCheckFolder(path),
  };
}
