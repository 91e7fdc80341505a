/**
 * Who is on the LAN: each peer with its address, games and current rate to us; adding a peer
 * by address; the manual peers; and, when discovery finds nobody, a short diagnosis.
 */

import { type Component, createMemo, createSignal, For, Show } from "solid-js";

import { Field } from "../../components/Field";
import { Icon } from "../../components/Icon";
import type { InterfaceInfo, MdnsState } from "../../api";
import { useApp } from "../../context";
import { t } from "../../i18n";
import { formatSpeed } from "../../lib/format";
import { isPeerAddress, peerRates } from "../../lib/peers";

function mdnsLabel(mdns: MdnsState): string {
  switch (mdns.state) {
    case "running":
      return t("diagnosis.mdnsOn");
    case "starting":
      return t("diagnosis.mdnsStarting");
    case "off":
      return t("diagnosis.mdnsOff");
    case "failed":
      return t("diagnosis.mdnsFailed", { reason: mdns.reason });
  }
}

/** Why an interface will not find peers, when that shows in its kind. */
function interfaceNote(iface: InterfaceInfo): string | null {
  if (iface.is_loopback) return t("diagnosis.loopback");
  if (iface.is_link_local) return t("diagnosis.linkLocal");
  if (iface.is_point_to_point) return t("diagnosis.vpn");
  return null;
}

export const PeersView: Component = () => {
  const { peers, library, settings } = useApp();
  const [addr, setAddr] = createSignal("");
  const [addError, setAddError] = createSignal<string | null>(null);
  const [adding, setAdding] = createSignal(false);
  const rates = createMemo(() => peerRates(library.state.activity));
  const manual = () => settings.settings()?.manual_peers ?? [];

  const add = async (e: Event) => {
    e.preventDefault();
    const value = addr().trim();
    if (!isPeerAddress(value)) {
      setAddError(t("peers.badAddress"));
      return;
    }
    setAddError(null);
    setAdding(true);
    const ok = await peers.add(value);
    setAdding(false);
    if (ok) {
      setAddr("");
      void settings.load();
    }
  };

  const remove = async (value: string) => {
    if (await peers.remove(value)) void settings.load();
  };

  return (
    <section class="view peers" aria-labelledby="peers-heading">
      <header class="toolbar">
        <h1 id="peers-heading" class="toolbar__title">
          {t("nav.peers")}
          <span class="toolbar__count">{peers.list().length}</span>
        </h1>
      </header>
      <div class="view__scroll">
        <form class="add-peer" onSubmit={add} novalidate>
          <Field id="peer-add" label={t("peers.addLabel")} hint={t("peers.addHint")} error={addError()}>
            {(control) => (
              <div class="field__row">
                <input
                  class="input"
                  data-testid="peer-add-input"
                  placeholder="192.168.1.20:7878"
                  value={addr()}
                  {...control}
                  onInput={(e) => {
                    setAddr(e.currentTarget.value);
                    setAddError(null);
                  }}
                  autocomplete="off"
                  spellcheck={false}
                />
                <button
                  type="submit"
                  class="btn btn--primary"
                  data-testid="peer-add"
                  disabled={adding() || addr().trim() === ""}
                  aria-busy={adding()}
                >
                  <Icon name="plus" />
                  {t("peers.add")}
                </button>
              </div>
            )}
          </Field>
        </form>

        <Show
          when={peers.list().length > 0}
          fallback={
            <div class="searching">
              <span class="pulse" aria-hidden="true" />
              <div>
                <p class="searching__title">{t("peers.searching")}</p>
                <p class="searching__text">{t("peers.searchingText")}</p>
              </div>
            </div>
          }
        >
          <table class="table peers__table">
            <thead>
              <tr>
                <th scope="col">{t("peers.name")}</th>
                <th scope="col">{t("peers.address")}</th>
                <th scope="col" class="table__num">
                  {t("peers.games")}
                </th>
                <th scope="col" class="table__num">
                  {t("peers.ping")}
                </th>
                <th scope="col" class="table__num">
                  {t("peers.rate")}
                </th>
              </tr>
            </thead>
            <tbody>
              <For each={peers.list()}>
                {(peer) => (
                  <tr data-testid={`peer-${peer.peer_id}`}>
                    <td>
                      <span class="peer__name">{peer.name}</span>
                      <span class="peer__id">{peer.short_id}</span>
                    </td>
                    <td class="mono">{peer.addr}</td>
                    <td class="table__num">{peer.games}</td>
                    <td class="table__num">{peer.rtt_ms > 0 ? `${peer.rtt_ms.toFixed(1)} ms` : "—"}</td>
                    <td class="table__num" classList={{ "is-active": (rates()[peer.peer_id] ?? 0) > 0 }}>
                      {formatSpeed(rates()[peer.peer_id] ?? 0)}
                    </td>
                  </tr>
                )}
              </For>
            </tbody>
          </table>
        </Show>

        <Show when={manual().length > 0}>
          <h2 class="section-title">{t("peers.manual")}</h2>
          <ul class="manual">
            <For each={manual()}>
              {(value) => (
                <li class="manual__item">
                  <span class="mono">{value}</span>
                  <button
                    type="button"
                    class="btn btn--ghost btn--small"
                    aria-label={t("peers.removeAddress", { addr: value })}
                    onClick={() => void remove(value)}
                  >
                    <Icon name="trash" />
                    {t("peers.remove")}
                  </button>
                </li>
              )}
            </For>
          </ul>
        </Show>

        <Show when={peers.lonely() || peers.diagnosis()}>
          <section class="diagnosis" aria-labelledby="diagnosis-heading" data-testid="diagnosis">
            <header class="diagnosis__head">
              <h2 id="diagnosis-heading" class="section-title">
                {t("diagnosis.title")}
              </h2>
              <button
                type="button"
                class="btn btn--ghost btn--small"
                disabled={peers.diagnosing()}
                aria-busy={peers.diagnosing()}
                onClick={() => void peers.diagnose()}
              >
                <Icon name="refresh" />
                {t("diagnosis.again")}
              </button>
            </header>
            <Show when={peers.diagnosis()} fallback={<p class="muted-box">{t("diagnosis.running")}</p>}>
              {(d) => (
                <>
                  <Show when={d().hints.length > 0}>
                    <ul class="hints">
                      <For each={d().hints}>
                        {(hint) => (
                          <li class="hint">
                            <Icon name="info" />
                            {hint}
                          </li>
                        )}
                      </For>
                    </ul>
                  </Show>
                  <dl class="facts facts--inline">
                    <dt>{t("diagnosis.port")}</dt>
                    <dd>{d().port ?? t("diagnosis.noPort")}</dd>
                    <dt>{t("diagnosis.mdns")}</dt>
                    <dd>{mdnsLabel(d().mdns)}</dd>
                  </dl>
                  <table class="table">
                    <thead>
                      <tr>
                        <th scope="col">{t("diagnosis.interface")}</th>
                        <th scope="col">{t("diagnosis.address")}</th>
                        <th scope="col">{t("diagnosis.state")}</th>
                        <th scope="col">{t("diagnosis.multicast")}</th>
                      </tr>
                    </thead>
                    <tbody>
                      <For each={d().interfaces}>
                        {(iface) => (
                          <tr>
                            <td>{iface.name}</td>
                            <td class="mono">
                              {iface.ipv4}/{iface.prefix_len}
                              <Show when={interfaceNote(iface)}>
                                {(note) => <span class="tag tag--muted">{note()}</span>}
                              </Show>
                            </td>
                            <td>
                              <span class={`dot ${iface.is_up ? "dot--ok" : "dot--bad"}`} />
                              {iface.is_up ? t("diagnosis.up") : t("diagnosis.down")}
                            </td>
                            <td>{iface.is_multicast_capable ? t("common.yes") : t("common.no")}</td>
                          </tr>
                        )}
                      </For>
                    </tbody>
                  </table>
                </>
              )}
            </Show>
          </section>
        </Show>
      </div>
    </section>
  );
};
