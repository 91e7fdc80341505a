/**
 * The application log, the unpack log and the logs of dedicated servers, each with a text search;
 * the application log also by level, the unpack log by game.
 */

import {
  type Component,
  createMemo,
  createResource,
  createSignal,
  For,
  Match,
  onCleanup,
  onMount,
  Show,
  Switch,
} from "solid-js";

import { Field } from "../../components/Field";
import { Icon } from "../../components/Icon";
import { type LogsTab, useApp } from "../../context";
import { t } from "../../i18n";
import { formatClock, formatDateTime, formatDuration } from "../../lib/format";
import {
  filterLogLines,
  filterTextLines,
  filterUnpackRuns,
  LEVELS,
  type Level,
  levelOf,
  newestFirst,
} from "../../lib/logs";
import { errorText } from "../../lib/messages";

/** Lines kept on screen; older ones are a search away. */
const MAX_LINES = 1500;
/** The application and server logs are re-read this often while they are on screen. */
const REFRESH_MS = 3000;

const TABS: { id: LogsTab; label: "logs.app" | "logs.unpack" | "logs.server" }[] = [
  { id: "app", label: "logs.app" },
  { id: "unpack", label: "logs.unpack" },
  { id: "server", label: "logs.server" },
];

export const LogsView: Component = () => {
  const { logsTab: tab, setLogsTab: setTab } = useApp();

  const onTabKey = (e: KeyboardEvent) => {
    const at = TABS.findIndex((x) => x.id === tab());
    const to: Record<string, number> = {
      ArrowLeft: (at - 1 + TABS.length) % TABS.length,
      ArrowRight: (at + 1) % TABS.length,
      Home: 0,
      End: TABS.length - 1,
    };
    const index = to[e.key];
    if (index === undefined) return;
    e.preventDefault();
    const next = TABS[index]?.id ?? "app";
    setTab(next);
    document.getElementById(`logs-tab-${next}`)?.focus();
  };

  return (
    <section class="view logs" aria-labelledby="logs-heading">
      <header class="toolbar">
        <h1 id="logs-heading" class="toolbar__title">
          {t("nav.logs")}
        </h1>
        <div class="tabs" role="tablist" aria-label={t("nav.logs")} onKeyDown={onTabKey}>
          <For each={TABS}>
            {(item) => (
              <button
                type="button"
                role="tab"
                id={`logs-tab-${item.id}`}
                class="tabs__tab"
                aria-selected={tab() === item.id}
                aria-controls={`logs-panel-${item.id}`}
                tabIndex={tab() === item.id ? 0 : -1}
                data-testid={`logs-tab-${item.id}`}
                onClick={() => setTab(item.id)}
              >
                {t(item.label)}
              </button>
            )}
          </For>
        </div>
      </header>
      <Switch>
        <Match when={tab() === "app"}>
          <AppLog />
        </Match>
        <Match when={tab() === "unpack"}>
          <UnpackLog />
        </Match>
        <Match when={tab() === "server"}>
          <ServerLogs />
        </Match>
      </Switch>
    </section>
  );
};

/** A failed read, in the player's words where the runtime's are fixed. */
const ReadError: Component<{ error: unknown }> = (props) => <p class="muted-box">{errorText(props.error, t)}</p>;

/** Re-reads a resource every `REFRESH_MS` while the calling component is on screen. */
function refreshWhileShown(refetch: () => unknown): void {
  onMount(() => {
    const timer = setInterval(() => void refetch(), REFRESH_MS);
    onCleanup(() => clearInterval(timer));
  });
}

const RefreshButton: Component<{ onClick: () => void }> = (props) => (
  <button type="button" class="btn btn--ghost btn--small" onClick={() => props.onClick()}>
    <Icon name="refresh" />
    {t("logs.refresh")}
  </button>
);

const AppLog: Component = () => {
  const { api } = useApp();
  const [level, setLevel] = createSignal<Level>("info");
  const [search, setSearch] = createSignal("");
  const [lines, { refetch }] = createResource(() => api.appLog());
  refreshWhileShown(refetch);
  const shown = createMemo(() => {
    const all = filterLogLines(lines.error ? [] : (lines.latest ?? []), level(), search());
    return { lines: all.slice(-MAX_LINES), total: all.length };
  });

  return (
    <div class="logs__panel" role="tabpanel" id="logs-panel-app" aria-labelledby="logs-tab-app">
      <div class="filters">
        <Field layout="inline" label={t("logs.level")}>
          {() => (
            <select
              class="select"
              data-testid="log-level"
              value={level()}
              onChange={(e) => setLevel(e.currentTarget.value as Level)}
            >
              <For each={LEVELS}>{(l) => <option value={l}>{t(`logs.level.${l}`)}</option>}</For>
            </select>
          )}
        </Field>
        <SearchField value={search()} onInput={setSearch} testid="log-search" />
        <RefreshButton onClick={() => void refetch()} />
      </div>
      <Show when={!lines.error} fallback={<ReadError error={lines.error} />}>
        <Show when={shown().total > shown().lines.length}>
          <p class="logs__note">{t("logs.truncated", { shown: shown().lines.length, total: shown().total })}</p>
        </Show>
        <Show
          when={shown().lines.length > 0}
          fallback={<p class="muted-box">{lines.loading && shown().total === 0 ? t("common.loading") : t("logs.empty")}</p>}
        >
          <ol class="log selectable" aria-label={t("logs.app")}>
            <For each={shown().lines}>
              {(line) => (
                <li class={`log__line log__line--${levelOf(line)}`}>
                  <time class="log__time">{formatClock(line.unix_ms)}</time>
                  <span class="log__level">{levelOf(line).toUpperCase()}</span>
                  <span class="log__target">{line.target}</span>
                  <span class="log__message">{line.message}</span>
                </li>
              )}
            </For>
          </ol>
        </Show>
      </Show>
    </div>
  );
};

const UnpackLog: Component = () => {
  const { api, library } = useApp();
  const [game, setGame] = createSignal("");
  const [search, setSearch] = createSignal("");
  const [runs, { refetch }] = createResource(() => api.unpackLog());
  const games = createMemo(() => [...new Set((runs.error ? [] : (runs.latest ?? [])).map((r) => r.game))].sort());
  const shown = createMemo(() =>
    filterUnpackRuns(runs.error ? [] : (runs.latest ?? []), game(), search()).sort((a, b) => b.started_unix_ms - a.started_unix_ms),
  );

  return (
    <div class="logs__panel" role="tabpanel" id="logs-panel-unpack" aria-labelledby="logs-tab-unpack">
      <div class="filters">
        <Field layout="inline" label={t("logs.game")}>
          {() => (
            <select
              class="select"
              data-testid="unpack-game"
              value={game()}
              onChange={(e) => setGame(e.currentTarget.value)}
            >
              <option value="">{t("logs.allGames")}</option>
              <For each={games()}>{(id) => <option value={id}>{library.titleOf(id)}</option>}</For>
            </select>
          )}
        </Field>
        <SearchField value={search()} onInput={setSearch} testid="unpack-search" />
        <RefreshButton onClick={() => void refetch()} />
      </div>
      <Show when={!runs.error} fallback={<ReadError error={runs.error} />}>
        <Show
          when={shown().length > 0}
          fallback={<p class="muted-box">{runs.loading && games().length === 0 ? t("common.loading") : t("logs.noRuns")}</p>}
        >
          <ul class="runs">
            <For each={shown()}>
              {(run) => {
                const ok = run.exit === 0;
                return (
                  <li class="run">
                    <details>
                      <summary class="run__summary">
                        <span class={`chip ${ok ? "chip--installed" : "chip--failed"}`}>
                          {ok ? t("logs.ok") : t("logs.failed")}
                        </span>
                        <span class="run__game">{library.titleOf(run.game)}</span>
                        <span class="run__status">{run.status}</span>
                        <time class="run__time">{formatDateTime(run.started_unix_ms)}</time>
                        <span class="run__duration">
                          {formatDuration((run.ended_unix_ms - run.started_unix_ms) / 1000) ?? ""}
                        </span>
                      </summary>
                      <div class="run__body selectable">
                        <p class="run__cmd mono">
                          {run.program} {run.args.join(" ")}
                        </p>
                        <p class="run__exit">{t("logs.exit", { code: run.exit ?? "—" })}</p>
                        <Show when={run.stdout}>
                          <h3 class="run__stream">stdout</h3>
                          <pre class="run__out">{run.stdout}</pre>
                        </Show>
                        <Show when={run.stderr}>
                          <h3 class="run__stream">stderr</h3>
                          <pre class="run__out run__out--err">{run.stderr}</pre>
                        </Show>
                      </div>
                    </details>
                  </li>
                );
              }}
            </For>
          </ul>
        </Show>
      </Show>
    </div>
  );
};

/**
 * The output of dedicated servers started without a terminal: the games with a log, newest
 * first, beside the text of the chosen one (the newest unless one was asked for).
 */
const ServerLogs: Component = () => {
  const { api, library, serverLogGame, setServerLogGame } = useApp();
  const [search, setSearch] = createSignal("");
  const [logs, { refetch }] = createResource(() => api.serverLogs());
  refreshWhileShown(refetch);
  const sorted = createMemo(() => newestFirst(logs.error ? [] : (logs.latest ?? [])));
  const wanted = () => serverLogGame();
  const selected = createMemo(() => {
    const game = wanted();
    return game === null ? sorted()[0] : sorted().find((log) => log.game === game);
  });
  const lines = createMemo(() => {
    const log = selected();
    return log ? filterTextLines(log.text, search()) : [];
  });
  const modified = (unixS: number | null) =>
    unixS === null ? t("logs.unknownTime") : t("logs.modified", { time: formatDateTime(unixS * 1000) });

  return (
    <div class="logs__panel" role="tabpanel" id="logs-panel-server" aria-labelledby="logs-tab-server">
      <div class="filters">
        <SearchField value={search()} onInput={setSearch} testid="server-search" />
        <RefreshButton onClick={() => void refetch()} />
      </div>
      <Show when={!logs.error} fallback={<ReadError error={logs.error} />}>
        <Show
          when={sorted().length > 0 || wanted() !== null}
          fallback={<p class="muted-box">{logs.loading ? t("common.loading") : t("logs.serverNone")}</p>}
        >
          <div class="server-logs">
            <ul class="server-logs__list" aria-label={t("logs.servers")}>
              <For each={sorted()}>
                {(log) => (
                  <li>
                    <button
                      type="button"
                      class="server-logs__game"
                      data-testid={`server-log-${log.game}`}
                      aria-current={selected()?.game === log.game ? "true" : undefined}
                      onClick={() => setServerLogGame(log.game)}
                    >
                      <span class="server-logs__title">{library.titleOf(log.game)}</span>
                      <span class="server-logs__time">{modified(log.modified_unix_s)}</span>
                    </button>
                  </li>
                )}
              </For>
            </ul>
            <div class="server-logs__view">
              <Show
                when={selected()}
                fallback={
                  <p class="muted-box">
                    {logs.loading
                      ? t("common.loading")
                      : t("logs.serverMissing", { title: library.titleOf(wanted() ?? "") })}
                  </p>
                }
              >
                {(log) => (
                  <>
                    <h2 class="server-logs__heading">
                      {library.titleOf(log().game)}
                      <span class="server-logs__time">{modified(log().modified_unix_s)}</span>
                    </h2>
                    <Show when={log().truncated}>
                      <p class="logs__note">{t("logs.serverTruncated")}</p>
                    </Show>
                    <Show
                      when={lines().length > 0}
                      fallback={
                        <p class="muted-box">{log().text.trim() === "" ? t("logs.serverEmpty") : t("logs.empty")}</p>
                      }
                    >
                      <pre
                        class="server-log selectable"
                        data-testid="server-log-text"
                        tabIndex={0}
                        aria-label={t("logs.server")}
                      >
                        {lines().join("\n")}
                      </pre>
                    </Show>
                  </>
                )}
              </Show>
            </div>
          </div>
        </Show>
      </Show>
    </div>
  );
};

const SearchField: Component<{ value: string; onInput: (v: string) => void; testid: string }> = (props) => (
  <label class="search search--small">
    <Icon name="search" class="search__icon" />
    <span class="sr-only">{t("logs.search")}</span>
    <input
      class="search__input"
      type="search"
      data-testid={props.testid}
      placeholder={t("logs.search")}
      value={props.value}
      onInput={(e) => props.onInput(e.currentTarget.value)}
      spellcheck={false}
      autocomplete="off"
    />
  </label>
);
