/**
 * The launcher: the first-run welcome until a game folder is set, then the library with its
 * side navigation, the detail of the open game, and the notifications. Runtime events are
 * subscribed to before the first reads, so nothing that happens in between is missed; when some
 * were missed anyway (the window fell behind, the runtime restarted) the library is read again.
 * An error nothing else caught replaces the window with a way to reload it.
 */

import {
  type Component,
  createEffect,
  createMemo,
  ErrorBoundary,
  For,
  Match,
  on,
  onCleanup,
  onMount,
  type ParentComponent,
  Show,
  Switch,
} from "solid-js";

import type { Api } from "./api";
import { CrashScreen } from "./components/CrashScreen";
import { Icon, type IconName, Mark } from "./components/Icon";
import { ProgressBar } from "./components/ProgressBar";
import { Toasts } from "./components/Toasts";
import { type AppStores, AppProvider, createAppStores, useApp, type View } from "./context";
import { DownloadsView } from "./features/downloads/DownloadsView";
import { GameDetail } from "./features/library/components/GameDetail";
import { LibraryView } from "./features/library/components/LibraryView";
import { LogsView } from "./features/logs/LogsView";
import { PeersView } from "./features/peers/PeersView";
import { SettingsView } from "./features/settings/SettingsView";
import { Welcome } from "./features/welcome/Welcome";
import { t } from "./i18n";
import { formatPercent } from "./lib/format";
import { availableActions } from "./lib/games";
import { runtimeText } from "./lib/messages";
import { noticeFor } from "./lib/notices";

export interface AppProps {
  api: Api;
  /** Stores made by the caller (tests); made from `api` otherwise. */
  stores?: AppStores;
  /** Grid size where there is no layout to measure (tests). */
  gridSize?: { width: number; height: number };
}

const App: Component<AppProps> = (props) => (
  <AppErrorBoundary>
    <WithStores {...props} />
  </AppErrorBoundary>
);

export default App;

const WithStores: Component<AppProps> = (props) => {
  // The api and stores are fixed for the app's lifetime.
  const stores = props.stores ?? createAppStores(props.api);
  return (
    <AppProvider stores={stores}>
      <Root {...(props.gridSize ? { gridSize: props.gridSize } : {})} />
    </AppProvider>
  );
};

/**
 * Shows `CrashScreen` for an error thrown while rendering or in an effect below it. `onReload`
 * is for tests; the window reloads otherwise.
 */
export const AppErrorBoundary: ParentComponent<{ onReload?: () => void }> = (props) => (
  <ErrorBoundary
    fallback={(error) => {
      console.error("lanparty: the window failed", error);
      return (
        <CrashScreen
          error={error}
          title={t("crash.title")}
          text={t("crash.text")}
          detailsLabel={t("crash.details")}
          reloadLabel={t("crash.reload")}
          onReload={() => (props.onReload ? props.onReload() : window.location.reload())}
        />
      );
    }}
  >
    {props.children}
  </ErrorBoundary>
);

const Root: Component<{ gridSize?: { width: number; height: number } }> = (props) => {
  const app = useApp();
  const { api, settings, library, peers, toasts } = app;

  onMount(() => {
    let disposed = false;
    const unlisteners: (() => void)[] = [];
    onCleanup(() => {
      disposed = true;
      for (const unlisten of unlisteners) unlisten();
    });

    const subscribe = async () => {
      const subscriptions = await Promise.allSettled([
        api.onRuntimeEvent((event) => {
          const notice = noticeFor(event, library.titleOf, t);
          library.apply(event);
          peers.apply(event);
          if (notice) toasts.push(notice.tone, notice.message, notice.title);
        }),
        api.onRuntimeState((state) => {
          const before = app.runtime()?.state;
          app.setRuntime(state);
          // A (re)started runtime: its games folder, games and operations may all be new, and
          // covers fetched while it started failed.
          if (state.state === "running" && before !== "running") {
            library.resetCovers();
            void library.load();
            void peers.load();
          }
        }),
        api.onEventsLagged((lag) => {
          // What the lost events said is read again; the runtime's own words would be English.
          toasts.push("warning", t("notice.eventsLagged", { count: lag.dropped }));
          void library.load();
          void peers.load();
        }),
      ]);
      for (const s of subscriptions) {
        if (s.status === "fulfilled") {
          if (disposed) s.value();
          else unlisteners.push(s.value);
        }
      }
    };
    void subscribe().then(async () => {
      // What happened before the subscription: the runtime may already be running or failed.
      try {
        const state = await api.appStatus();
        if (app.runtime() === null) app.setRuntime(state);
      } catch {
        // An old shell without the command: the state arrives with its next change.
      }
      await settings.load();
    });
  });

  const folderSet = createMemo(() => {
    const s = settings.settings();
    return s === null ? null : s.games_dir !== null;
  });

  return (
    <>
      <Switch>
        <Match when={folderSet() === null && settings.loadError()}>
          {(message) => (
            <main class="splash">
              <Mark class="splash__mark" />
              <p class="splash__error" role="alert">
                {message()}
              </p>
              <button type="button" class="btn btn--primary" onClick={() => void settings.load()}>
                {t("common.retry")}
              </button>
            </main>
          )}
        </Match>
        <Match when={folderSet() === null}>
          <main class="splash" aria-busy="true">
            <Mark class="splash__mark splash__mark--pulse" />
            <span class="sr-only">{t("common.loading")}</span>
          </main>
        </Match>
        <Match when={folderSet() === false}>
          <Welcome />
        </Match>
        <Match when={folderSet() === true}>
          <Shell {...(props.gridSize ? { gridSize: props.gridSize } : {})} />
        </Match>
      </Switch>
      <Toasts
        toasts={toasts.list}
        label={t("toasts.label")}
        dismissLabel={t("toasts.dismiss")}
        onDismiss={toasts.dismiss}
        onHold={toasts.hold}
        onResume={toasts.resume}
      />
    </>
  );
};

const NAV: { view: View; icon: IconName }[] = [
  { view: "library", icon: "library" },
  { view: "downloads", icon: "downloads" },
  { view: "peers", icon: "peers" },
  { view: "logs", icon: "logs" },
  { view: "settings", icon: "settings" },
];

const Shell: Component<{ gridSize?: { width: number; height: number } }> = (props) => {
  const app = useApp();
  const { library, peers, settings } = app;

  onMount(() => {
    void library.load();
    void peers.load();
    onCleanup(peers.watch());
  });

  // A new game folder is a new library, with covers of its own.
  createEffect(
    on(
      () => settings.settings()?.games_dir,
      (_, before) => {
        if (before === undefined) return;
        library.resetCovers();
        void library.load();
      },
    ),
  );

  const focusSearch = () => {
    // Solid renders synchronously, so the library's search exists right after the switch.
    app.setView("library");
    const search = document.querySelector<HTMLInputElement>('[data-testid="search"]');
    search?.focus();
    search?.select();
  };

  const onKey = (e: KeyboardEvent) => {
    if (e.defaultPrevented || document.querySelector(".dialog")) return;
    const target = e.target as HTMLElement | null;
    const typing =
      target instanceof HTMLInputElement ||
      target instanceof HTMLTextAreaElement ||
      target instanceof HTMLSelectElement ||
      target?.isContentEditable === true;
    if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === "f") {
      e.preventDefault();
      focusSearch();
    } else if (e.key === "/" && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      focusSearch();
    }
  };
  onMount(() => {
    window.addEventListener("keydown", onKey);
    onCleanup(() => window.removeEventListener("keydown", onKey));
  });

  const running = createMemo(() => Object.keys(library.state.activity).length);
  const openGame = createMemo(() => {
    const id = library.openId();
    return id === null ? undefined : library.state.games[id];
  });

  return (
    <div class="shell">
      <nav class="sidebar" aria-label={t("nav.label")}>
        <div class="sidebar__brand">
          <Mark class="sidebar__mark" />
          <span class="sidebar__name">Lanparty</span>
        </div>
        <ul class="sidebar__nav">
          <For each={NAV}>
            {(item) => (
              <li>
                <button
                  type="button"
                  class="nav-item"
                  data-testid={`nav-${item.view}`}
                  aria-current={app.view() === item.view ? "page" : undefined}
                  onClick={() => app.setView(item.view)}
                >
                  <Icon name={item.icon} />
                  <span class="nav-item__label">{t(`nav.${item.view}`)}</span>
                  <Show when={item.view === "downloads" && running() > 0}>
                    <span class="badge badge--accent">
                      <span class="sr-only">{t("nav.running")}</span>
                      {running()}
                    </span>
                  </Show>
                  <Show when={item.view === "peers"}>
                    <span class="badge" classList={{ "badge--muted": peers.list().length === 0 }}>
                      <span class="sr-only">{t("nav.connected")}</span>
                      {peers.list().length}
                    </span>
                  </Show>
                </button>
              </li>
            )}
          </For>
        </ul>
        <div class="sidebar__foot">
          <Show when={library.state.scan}>
            {(scan) => (
              <div class="scan" role="status">
                <span class="scan__label">
                  {t("scan.hashing", { title: library.titleOf(scan().game) })}
                </span>
                <ProgressBar
                  value={(scan().bytesDone / Math.max(1, scan().bytesTotal)) * 100}
                  label={t("scan.label")}
                  class="progress--thin"
                />
                <span class="scan__percent">{formatPercent(scan().bytesDone, scan().bytesTotal)}</span>
              </div>
            )}
          </Show>
          <div class="player">
            <span class="player__avatar" aria-hidden="true">
              {(settings.settings()?.username ?? "?").slice(0, 1).toUpperCase()}
            </span>
            <span class="player__name">{settings.settings()?.username}</span>
          </div>
        </div>
      </nav>

      <div class="main">
        <Banners />
        <Switch>
          <Match when={app.view() === "library"}>
            <LibraryView {...(props.gridSize ? { initialSize: props.gridSize } : {})} />
          </Match>
          <Match when={app.view() === "downloads"}>
            <DownloadsView />
          </Match>
          <Match when={app.view() === "peers"}>
            <PeersView />
          </Match>
          <Match when={app.view() === "logs"}>
            <LogsView />
          </Match>
          <Match when={app.view() === "settings"}>
            <SettingsView />
          </Match>
        </Switch>
      </div>

      <Show when={openGame()}>
        {(game) => (
          <GameDetail
            game={game()}
            status={library.statusOf(game())}
            activity={library.activityOf(game().id)}
            pending={library.pending[game().id]}
            actions={availableActions(game(), library.activityOf(game().id), library.pending[game().id])}
            cover={library.covers[game().id]}
            onAction={(action) => void library.run(action, game().id)}
            {...(library.hasServerLog(game().id)
              ? {
                  onServerLog: () => {
                    // Read before closing: the detail's game is gone once it is closed.
                    const id = game().id;
                    library.open(null);
                    app.showServerLog(id);
                  },
                }
              : {})}
            onClose={() => library.open(null)}
          />
        )}
      </Show>
    </div>
  );
};

/** What keeps the launcher from working fully, and what to do about it. */
const Banners: Component = () => {
  const app = useApp();
  const { library } = app;
  return (
    <>
      <Show when={app.runtime()?.state !== "running" && app.runtime()}>
        {(runtime) => (
          <div
            class="banner"
            classList={{ "banner--error": runtime().state === "failed" || runtime().state === "stopped" }}
            role="status"
            data-testid="runtime-banner"
          >
            <Icon name={runtime().state === "starting" ? "refresh" : "alert"} />
            <span>{runtimeText(runtime(), t)}</span>
          </div>
        )}
      </Show>
      <Show when={!library.state.available}>
        <div class="banner banner--warning" role="status">
          <Icon name="folder" />
          <span>
            {t("library.unavailable")} {library.state.reason}
          </span>
          <button type="button" class="btn btn--ghost btn--small" onClick={() => app.setView("settings")}>
            {t("nav.settings")}
          </button>
        </div>
      </Show>
    </>
  );
};
