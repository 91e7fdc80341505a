/**
 * Settings: game folder, player name, language (of games and of this UI), upload limit; and
 * what this installation is (version, peer id, port, folders).
 */

import { type Component, createResource, createSignal, For, Show } from "solid-js";

import type { Settings } from "../../api";
import { Field } from "../../components/Field";
import { Icon } from "../../components/Icon";
import { useApp } from "../../context";
import { t } from "../../i18n";
import { STEAM_LANGUAGES } from "../../lib/languages";

export const SettingsView: Component = () => {
  const { settings } = useApp();
  return (
    <section class="view settings" aria-labelledby="settings-heading">
      <header class="toolbar">
        <h1 id="settings-heading" class="toolbar__title">
          {t("nav.settings")}
        </h1>
      </header>
      <div class="view__scroll">
        <Show when={settings.settings()} fallback={<div class="skeleton skeleton--panel" />}>
          {(current) => <SettingsForm initial={current()} />}
        </Show>
        <About />
      </div>
    </section>
  );
};

const SettingsForm: Component<{ initial: Settings }> = (props) => {
  const { settings, api, toasts } = useApp();
  // The form starts from the settings as they were when it opened; a save replaces them.
  const [base, setBase] = createSignal(props.initial);
  const [folder, setFolder] = createSignal(base().games_dir ?? "");
  const [username, setUsername] = createSignal(base().username);
  const [language, setLanguage] = createSignal(base().language);
  const [limit, setLimit] = createSignal(base().upload_limit_mib_s?.toString() ?? "");
  const [folderError, setFolderError] = createSignal<string | null>(null);
  const [limitError, setLimitError] = createSignal<string | null>(null);
  const [saving, setSaving] = createSignal(false);

  /** Whole MiB/s (the runtime keeps a u32), null for no limit, undefined when unreadable. */
  const parsedLimit = (): number | null | undefined => {
    const text = limit().trim();
    if (text === "") return null;
    if (!/^\d{1,9}$/.test(text)) return undefined;
    const value = Number(text);
    return value > 0 ? value : undefined;
  };

  const dirty = () =>
    folder().trim() !== (base().games_dir ?? "") ||
    username().trim() !== base().username ||
    language() !== base().language ||
    parsedLimit() !== base().upload_limit_mib_s;

  const pick = async () => {
    try {
      const picked = await api.pickFolder(t("welcome.pickTitle"));
      if (picked) {
        setFolder(picked);
        setFolderError(null);
      }
    } catch (error) {
      toasts.error(error);
    }
  };

  const save = async (e: Event) => {
    e.preventDefault();
    const upload = parsedLimit();
    if (upload === undefined) {
      setLimitError(t("settings.limitInvalid"));
      return;
    }
    setLimitError(null);
    setSaving(true);
    try {
      const games_dir = folder().trim();
      if (games_dir !== (base().games_dir ?? "")) {
        const check = await settings.checkFolder(games_dir);
        if (!check.is_ok) {
          setFolderError(check.message ?? t("welcome.invalid"));
          return;
        }
      }
      setFolderError(null);
      const saved = await settings.save({
        ...base(),
        games_dir: games_dir === "" ? base().games_dir : games_dir,
        username: username().trim(),
        language: language() as Settings["language"],
        upload_limit_mib_s: upload,
      });
      setBase(saved);
      setFolder(saved.games_dir ?? "");
      setUsername(saved.username);
      setLanguage(saved.language);
      setLimit(saved.upload_limit_mib_s?.toString() ?? "");
      toasts.push("success", t("settings.saved"));
    } catch (error) {
      toasts.error(error, t("settings.saveFailed"));
    } finally {
      setSaving(false);
    }
  };

  return (
    <form class="panel form" onSubmit={save} novalidate>
      <Field id="settings-folder" label={t("settings.folder")} hint={t("settings.folderHint")} error={folderError()}>
        {(control) => (
          <div class="field__row">
            <input
              class="input mono"
              data-testid="settings-folder"
              value={folder()}
              {...control}
              onInput={(e) => {
                setFolder(e.currentTarget.value);
                setFolderError(null);
              }}
              spellcheck={false}
            />
            <button type="button" class="btn btn--ghost" data-testid="settings-folder-pick" onClick={() => void pick()}>
              <Icon name="folder" />
              {t("welcome.pick")}
            </button>
          </div>
        )}
      </Field>

      <Field id="settings-username" label={t("settings.username")} hint={t("settings.usernameHint")}>
        {(control) => (
          <input
            class="input"
            data-testid="settings-username"
            value={username()}
            maxLength={31}
            {...control}
            onInput={(e) => setUsername(e.currentTarget.value)}
            spellcheck={false}
            autocomplete="off"
          />
        )}
      </Field>

      <Field id="settings-language" label={t("settings.language")} hint={t("settings.languageHint")}>
        {(control) => (
          <select
            class="select"
            data-testid="settings-language"
            value={language()}
            {...control}
            onChange={(e) => setLanguage(e.currentTarget.value as Settings["language"])}
          >
            <Show when={!STEAM_LANGUAGES.some((l) => l.id === base().language)}>
              <option value={base().language}>{base().language}</option>
            </Show>
            <For each={STEAM_LANGUAGES}>{(l) => <option value={l.id}>{l.name}</option>}</For>
          </select>
        )}
      </Field>

      <Field
        id="settings-limit"
        label={t("settings.uploadLimit")}
        hint={t("settings.uploadLimitHint")}
        error={limitError()}
      >
        {(control) => (
          <div class="field__row field__row--narrow">
            <input
              class="input"
              data-testid="settings-upload-limit"
              inputMode="numeric"
              value={limit()}
              placeholder={t("settings.unlimited")}
              {...control}
              onInput={(e) => {
                setLimit(e.currentTarget.value);
                setLimitError(null);
              }}
            />
            <span class="field__unit">MiB/s</span>
          </div>
        )}
      </Field>

      <div class="form__actions">
        <button
          type="submit"
          class="btn btn--primary"
          data-testid="settings-save"
          disabled={saving() || !dirty()}
          aria-busy={saving()}
        >
          <Icon name="check" />
          {t("settings.save")}
        </button>
      </div>
    </form>
  );
};

const About: Component = () => {
  const { api } = useApp();
  const [info] = createResource(() => api.appInfo());
  return (
    <section class="panel about" aria-labelledby="about-heading">
      <h2 id="about-heading" class="section-title">
        {t("about.title")}
      </h2>
      <Show when={!info.error && info()} fallback={<div class="skeleton skeleton--line" />}>
        {(i) => (
          <dl class="facts">
            <dt>{t("about.version")}</dt>
            <dd>{i().version}</dd>
            <dt>{t("about.name")}</dt>
            <dd>{i().name}</dd>
            <dt>{t("about.peerId")}</dt>
            <dd class="mono selectable">{i().peer_id ?? "—"}</dd>
            <dt>{t("about.port")}</dt>
            <dd>{i().port ?? "—"}</dd>
            <dt>{t("about.stateDir")}</dt>
            <dd class="mono selectable">{i().state_dir}</dd>
          </dl>
        )}
      </Show>
    </section>
  );
};
