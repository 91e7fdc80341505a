/** Running downloads and installs with their progress, and what ended in this session. */

import { type Component, createEffect, createMemo, For, Show } from "solid-js";

import { Cover } from "../../components/Cover";
import { Icon } from "../../components/Icon";
import { ProgressBar } from "../../components/ProgressBar";
import { useApp } from "../../context";
import { t } from "../../i18n";
import { formatBytes, formatSpeed } from "../../lib/format";
import type { Activity } from "../../lib/library";
import { progressText, progressValue } from "../library/labels";

export const DownloadsView: Component = () => {
  const { library } = useApp();

  /** Games with something running or asked for, downloads first, then by title. */
  const running = createMemo(() => {
    const ids = new Set([
      ...Object.keys(library.state.activity),
      ...Object.entries(library.pending)
        .filter(([, p]) => p === "download" || p === "update" || p === "install")
        .map(([id]) => id),
    ]);
    return [...ids]
      .filter((id) => library.state.games[id])
      .sort((a, b) => library.titleOf(a).localeCompare(library.titleOf(b)));
  });

  const kindLabel = (activity: Activity | undefined, id: string) => {
    const pending = library.pending[id];
    if (activity?.kind === "installing" || pending === "install") return t("downloads.installing");
    if ((activity?.kind === "downloading" && activity.update) || pending === "update") {
      return t("downloads.updating");
    }
    return t("downloads.downloading");
  };

  return (
    <section class="view downloads" aria-labelledby="downloads-heading">
      <header class="toolbar">
        <h1 id="downloads-heading" class="toolbar__title">
          {t("nav.downloads")}
        </h1>
      </header>
      <div class="view__scroll">
        <h2 class="section-title">{t("downloads.active")}</h2>
        <Show
          when={running().length > 0}
          fallback={<p class="muted-box">{t("downloads.none")}</p>}
        >
          <ul class="transfers">
            <For each={running()}>
              {(id) => {
                const game = () => library.state.games[id];
                const activity = () => library.activityOf(id);
                const downloadPeers = () => {
                  const a = activity();
                  return a?.kind === "downloading" ? a.peers : undefined;
                };
                createEffect(() => library.ensureCover(id));
                return (
                  <li class="transfer" data-testid={`download-${id}`}>
                    <Cover id={id} title={game()?.title ?? id} src={library.covers[id]} class="transfer__cover" />
                    <div class="transfer__main">
                      <div class="transfer__head">
                        <button type="button" class="link transfer__title" onClick={() => library.open(id)}>
                          {library.titleOf(id)}
                        </button>
                        <span class="transfer__kind">{kindLabel(activity(), id)}</span>
                      </div>
                      <ProgressBar
                        value={progressValue(activity())}
                        label={library.titleOf(id)}
                        tone={activity()?.kind === "installing" ? "install" : "download"}
                      />
                      <div class="transfer__stats">
                        <span>{progressText(activity())}</span>
                        <Show when={activity()}>
                          {(a) => (
                            <span class="transfer__bytes">
                              {formatBytes(a().bytesDone)} / {formatBytes(a().bytesTotal)}
                            </span>
                          )}
                        </Show>
                      </div>
                      <Show when={downloadPeers()}>
                        {(peers) => (
                          <p class="transfer__peers">
                            <Icon name="users" />
                            <Show when={peers().length > 0} fallback={t("downloads.connecting")}>
                              {t("downloads.activePeers", { count: peers().length })}:{" "}
                              {peers()
                                .map((p) => `${p.name} ${formatSpeed(p.bytes_per_s)}`)
                                .join(" · ")}
                            </Show>
                          </p>
                        )}
                      </Show>
                    </div>
                    <Show when={activity() !== undefined}>
                      <button
                        type="button"
                        class="btn btn--cancel"
                        disabled={library.pending[id] === "cancel"}
                        aria-busy={library.pending[id] === "cancel"}
                        onClick={() => void library.run("cancel", id)}
                      >
                        <Icon name="cancel" />
                        {activity()?.kind === "installing" ? t("action.cancelInstall") : t("action.cancel")}
                      </button>
                    </Show>
                  </li>
                );
              }}
            </For>
          </ul>
        </Show>

        <Show when={library.history.length > 0}>
          <h2 class="section-title">{t("downloads.recent")}</h2>
          <ul class="history">
            <For each={library.history}>
              {(entry) => (
                <li class={`history__item history__item--${entry.outcome}`}>
                  <Icon name={entry.outcome === "finished" ? "check" : entry.outcome === "failed" ? "alert" : "cancel"} />
                  <span class="history__title">{library.titleOf(entry.game)}</span>
                  <span class="history__what">
                    {t(`history.${entry.kind}.${entry.outcome}`)}
                  </span>
                  <Show when={entry.detail}>
                    <span class="history__detail">{entry.detail}</span>
                  </Show>
                </li>
              )}
            </For>
          </ul>
        </Show>
      </div>
    </section>
  );
};
