/**
 * Everything about one game and everything that can be done with it: description, players,
 * versions, size, status, which peer has which version, and every action; uninstalling and
 * removing files only after a confirmation (both delete what the player may have in them); and,
 * once its server was started with a log, the way to that log.
 */

import { type Component, createSignal, For, Show } from "solid-js";

import type { GameInfo } from "../../../api";
import { ConfirmDialog } from "../../../components/ConfirmDialog";
import { Cover } from "../../../components/Cover";
import { Dialog } from "../../../components/Dialog";
import { Icon, type IconName } from "../../../components/Icon";
import { ProgressBar } from "../../../components/ProgressBar";
import { t } from "../../../i18n";
import { formatBytes, formatSpeed } from "../../../lib/format";
import type { Action, GameStatus, Pending } from "../../../lib/games";
import type { Activity } from "../../../lib/library";
import { actionLabel, progressText, progressValue, statusLabel } from "../labels";

const ICONS: Record<Action, IconName> = {
  download: "download",
  update: "update",
  install: "install",
  play: "play",
  "start-server": "server",
  uninstall: "uninstall",
  remove: "trash",
  cancel: "cancel",
  "show-files": "folder",
};

/** The actions that lead, as big buttons; the rest sit in a quieter row. */
const LEADING: ReadonlySet<Action> = new Set(["play", "download", "install", "update", "cancel"]);

export const GameDetail: Component<{
  game: GameInfo;
  status: GameStatus;
  activity: Activity | undefined;
  pending: Pending | undefined;
  actions: Action[];
  cover: string | null | undefined;
  onAction: (action: Action) => void;
  /** Opens the log of the server started this session; absent while there is none. */
  onServerLog?: () => void;
  onClose: () => void;
}> = (props) => {
  const [confirming, setConfirming] = createSignal<"remove" | "uninstall" | null>(null);
  let close: HTMLButtonElement | undefined;

  const act = (action: Action) => {
    if (action === "remove" || action === "uninstall") setConfirming(action);
    else props.onAction(action);
  };

  const busy = () => props.status === "downloading" || props.status === "installing";
  const players = () => {
    const { min, max } = props.game.players;
    return min === max ? String(max) : `${min}–${max}`;
  };

  const ActionButton: Component<{ action: Action; leading: boolean }> = (p) => (
    <button
      type="button"
      class="btn"
      classList={{
        "btn--primary": p.leading && p.action !== "cancel",
        "btn--ghost": !p.leading,
        "btn--cancel": p.action === "cancel",
        "btn--danger-ghost": p.action === "remove" || p.action === "uninstall",
        "btn--busy": props.pending === p.action,
      }}
      data-testid={`detail-action-${p.action}`}
      disabled={props.pending !== undefined}
      aria-busy={props.pending === p.action}
      onClick={() => act(p.action)}
    >
      <Icon name={ICONS[p.action]} />
      <span>{actionLabel(p.action, props.activity)}</span>
    </button>
  );

  return (
    <Dialog
      label={props.game.title}
      onClose={() => (confirming() ? setConfirming(null) : props.onClose())}
      class="detail"
      testid="detail"
      initialFocus={() => close}
    >
      <div class="detail__hero">
        <Cover id={props.game.id} title={props.game.title} src={props.cover} class="detail__cover" />
        <div class="detail__hero-shade" />
        <button
          ref={close}
          type="button"
          class="icon-btn detail__close"
          aria-label={t("common.close")}
          onClick={() => props.onClose()}
        >
          <Icon name="close" />
        </button>
        <div class="detail__heading">
          <span class={`chip chip--${props.status}`}>{statusLabel(props.status)}</span>
          <h2 class="detail__title">{props.game.title}</h2>
          <p class="detail__genre">{props.game.genre}</p>
        </div>
      </div>

      <div class="detail__content">
        <div class="detail__actions">
          <For each={props.actions.filter((a) => LEADING.has(a))}>
            {(action) => <ActionButton action={action} leading />}
          </For>
          <Show when={props.actions.length === 0}>
            <p class="detail__none">{t("detail.noActions")}</p>
          </Show>
          <div class="detail__secondary">
            <For each={props.actions.filter((a) => !LEADING.has(a))}>
              {(action) => <ActionButton action={action} leading={false} />}
            </For>
            <Show when={props.onServerLog}>
              {(open) => (
                <button type="button" class="btn btn--ghost" data-testid="detail-server-log" onClick={() => open()()}>
                  <Icon name="logs" />
                  <span>{t("detail.serverLog")}</span>
                </button>
              )}
            </Show>
          </div>
        </div>

        <Show when={busy()}>
          <div class="detail__progress">
            <ProgressBar
              value={progressValue(props.activity)}
              label={statusLabel(props.status)}
              tone={props.status === "installing" ? "install" : "download"}
            />
            <p class="detail__progress-text">{progressText(props.activity)}</p>
            <Show when={props.activity?.kind === "downloading" && props.activity.peers.length > 0}>
              <p class="detail__progress-peers">
                {t("detail.from")}{" "}
                {props.activity?.kind === "downloading" &&
                  props.activity.peers.map((p) => `${p.name} (${formatSpeed(p.bytes_per_s)})`).join(", ")}
              </p>
            </Show>
          </div>
        </Show>

        <div class="detail__columns">
          <div class="detail__main">
            <h3 class="detail__section">{t("detail.about")}</h3>
            <p class="detail__description">{props.game.description || t("detail.noDescription")}</p>
            <Show when={props.game.reason}>
              <p class="detail__reason">
                <Icon name="info" />
                {props.game.reason}
              </p>
            </Show>

            <h3 class="detail__section">{t("detail.copies")}</h3>
            <Show
              when={props.game.copies.length > 0}
              fallback={<p class="detail__muted">{t("detail.noCopies")}</p>}
            >
              <table class="table">
                <thead>
                  <tr>
                    <th scope="col">{t("detail.peer")}</th>
                    <th scope="col">{t("detail.version")}</th>
                    <th scope="col" class="table__num">
                      {t("detail.size")}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  <For each={props.game.copies}>
                    {(copy) => (
                      <tr>
                        <td>{copy.name}</td>
                        <td>
                          {copy.version}
                          <Show when={copy.version === props.game.latest_version}>
                            <span class="tag">{t("detail.latest")}</span>
                          </Show>
                        </td>
                        <td class="table__num">{formatBytes(copy.size)}</td>
                      </tr>
                    )}
                  </For>
                </tbody>
              </table>
            </Show>
          </div>

          <dl class="facts">
            <dt>{t("detail.status")}</dt>
            <dd>{statusLabel(props.status)}</dd>
            <dt>{t("detail.players")}</dt>
            <dd>{players()}</dd>
            <dt>{t("detail.localVersion")}</dt>
            <dd>{props.game.version ?? t("detail.none")}</dd>
            <dt>{t("detail.latestVersion")}</dt>
            <dd>{props.game.latest_version ?? props.game.catalog_version}</dd>
            <dt>{t("detail.size")}</dt>
            <dd>{formatBytes(props.game.size)}</dd>
            <Show when={props.game.files > 0}>
              <dt>{t("detail.files")}</dt>
              <dd>{props.game.files}</dd>
            </Show>
            <dt>{t("detail.peers")}</dt>
            <dd>{props.game.peers}</dd>
            <dt>{t("detail.server")}</dt>
            <dd>{props.game.can_host_server ? t("common.yes") : t("common.no")}</dd>
            <dt>{t("detail.sharing")}</dt>
            <dd>{props.game.shareable ? t("detail.shared") : t("detail.notShared")}</dd>
          </dl>
        </div>
      </div>

      <Show when={confirming() === "remove"}>
        <ConfirmDialog
          title={t("confirm.removeTitle", { title: props.game.title })}
          message={t("confirm.removeText", { size: formatBytes(props.game.size) })}
          confirmLabel={t("confirm.removeYes")}
          cancelLabel={t("common.cancel")}
          onCancel={() => setConfirming(null)}
          onConfirm={() => {
            setConfirming(null);
            props.onAction("remove");
          }}
        />
      </Show>
      <Show when={confirming() === "uninstall"}>
        <ConfirmDialog
          title={t("confirm.uninstallTitle", { title: props.game.title })}
          message={t("confirm.uninstallText")}
          confirmLabel={t("confirm.uninstallYes")}
          cancelLabel={t("common.cancel")}
          onCancel={() => setConfirming(null)}
          onConfirm={() => {
            setConfirming(null);
            props.onAction("uninstall");
          }}
        />
      </Show>
    </Dialog>
  );
};
