/** The application log and the unpack log, each with filters and a text search. */

import {
  type Component,
  createMemo,
  createResource,
  createSignal,
  For,
  onCleanup,
  onMount,
  Show,
} from "solid-js";

import { Icon } from "../../components/Icon";
import { useApp } from "../../context";
import { t } from "../../i18n";
import { formatClock, formatDateTime, formatDuration } from "../../lib/format";
import { filterLogLines, filterUnpackRuns, LEVELS, type Level, levelOf } from "../../lib/logs";

/** Lines kept on screen; older ones are a search away. */
const MAX_LINES = 1500;
/** The application log is re-read this often while it is on screen. */
const REFRESH_MS = 3000;

type Tab = "app" | "unpack";

export const LogsView: Component = () => {
  const [tab, setTab] = createSignal<Tab>("app");
  const tabs: Tab[] = ["app", "unpack"];

  const onTabKey = (e: KeyboardEvent) => {
    if (e.key !== "ArrowLeft" && e.key !== "ArrowRight") return;
    e.preventDefault();
    const next = tab() === "app" ? "unpack" : "app";
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
          <For each={tabs}>
            {(id) => (
              <button
                type="button"
                role="tab"
                id={`logs-tab-${id}`}
                class="tabs__tab"
                aria-selected={tab() === id}
                aria-controls={`logs-panel-${id}`}
                tabIndex={tab() === id ? 0 : -1}
                data-testid={`logs-tab-${id}`}
                onClick={() => setTab(id)}
              >
                {t(id === "app" ? "logs.app" : "logs.unpack")}
              </button>
            )}
          </For>
        </div>
      </header>
      <Show when={tab() === "app"} fallback={<UnpackLog />}>
        <AppLog />
      </Show>
    </section>
  );
};

const AppLog: Component = () => {
  const { api } = useApp();
  const [level, setLevel] = createSignal<Level>("info");
  const [search, setSearch] = createSignal("");
  const [lines, { refetch }] = createResource(() => api.appLog());
  onMount(() => {
    const timer = setInterval(() => void refetch(), REFRESH_MS);
    onCleanup(() => clearInterval(timer));
  });
  const shown = createMemo(() => {
    const all = filterLogLines(lines.error ? [] : (lines.latest ?? []), level(), search());
    return { lines: all.slice(-MAX_LINES), total: all.length };
  });

  return (
    <div class="logs__panel" role="tabpanel" id="logs-panel-app" aria-labelledby="logs-tab-app">
      <div class="filters">
        <label class="select-field">
          <span class="select-field__label">{t("logs.level")}</span>
          <select
            class="select"
            data-testid="log-level"
            value={level()}
            onChange={(e) => setLevel(e.currentTarget.value as Level)}
          >
            <For each={LEVELS}>{(l) => <option value={l}>{t(`logs.level.${l}`)}</option>}</For>
          </select>
        </label>
        <SearchField value={search()} onInput={setSearch} testid="log-search" />
        <button type="button" class="btn btn--ghost btn--small" onClick={() => void refetch()}>
          <Icon name="refresh" />
          {t("logs.refresh")}
        </button>
      </div>
      <Show when={!lines.error} fallback={<p class="muted-box">{String(lines.error?.message ?? lines.error)}</p>}>
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
        <label class="select-field">
          <span class="select-field__label">{t("logs.game")}</span>
          <select
            class="select"
            data-testid="unpack-game"
            value={game()}
            onChange={(e) => setGame(e.currentTarget.value)}
          >
            <option value="">{t("logs.allGames")}</option>
            <For each={games()}>{(id) => <option value={id}>{library.titleOf(id)}</option>}</For>
          </select>
        </label>
        <SearchField value={search()} onInput={setSearch} testid="unpack-search" />
        <button type="button" class="btn btn--ghost btn--small" onClick={() => void refetch()}>
          <Icon name="refresh" />
          {t("logs.refresh")}
        </button>
      </div>
      <Show when={!runs.error} fallback={<p class="muted-box">{String(runs.error?.message ?? runs.error)}</p>}>
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
