/** First run: what Lanparty does, and where the games are. */

import { type Component, createSignal } from "solid-js";

import { Field } from "../../components/Field";
import { Icon, Mark } from "../../components/Icon";
import { useApp } from "../../context";
import { t } from "../../i18n";
import { errorText } from "../../lib/messages";

export const Welcome: Component = () => {
  const { settings, api } = useApp();
  const [folder, setFolder] = createSignal("");
  const [error, setError] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);
  let input: HTMLInputElement | undefined;

  const pick = async () => {
    try {
      const picked = await api.pickFolder(t("welcome.pickTitle"));
      if (picked) {
        setFolder(picked);
        setError(null);
      }
    } catch (e) {
      setError(errorText(e, t));
    }
  };

  const save = async (e: Event) => {
    e.preventDefault();
    const path = folder().trim();
    if (path === "") {
      setError(t("welcome.empty"));
      input?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const check = await settings.checkFolder(path);
      if (!check.is_ok) {
        setError(check.message ?? t("welcome.invalid"));
        input?.focus();
        return;
      }
      const current = settings.settings();
      if (!current) return;
      await settings.save({ ...current, games_dir: path });
    } catch (e) {
      setError(errorText(e, t));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="welcome" data-testid="welcome">
      <form class="welcome__card" onSubmit={save} novalidate>
        <Mark class="welcome__mark" />
        <h1 class="welcome__title">{t("welcome.title")}</h1>
        <p class="welcome__lede">{t("welcome.lede")}</p>
        <Field
          id="welcome-folder"
          class="welcome__field"
          label={t("welcome.folder")}
          hint={t("welcome.folderHint")}
          error={error()}
        >
          {(control) => (
            <div class="field__row">
              <input
                ref={input}
                class="input mono"
                data-testid="folder-input"
                value={folder()}
                placeholder={t("welcome.folderPlaceholder")}
                {...control}
                onInput={(e) => {
                  setFolder(e.currentTarget.value);
                  setError(null);
                }}
                spellcheck={false}
                autocomplete="off"
              />
              <button type="button" class="btn btn--ghost" data-testid="folder-pick" onClick={() => void pick()}>
                <Icon name="folder" />
                {t("welcome.pick")}
              </button>
            </div>
          )}
        </Field>
        <button
          type="submit"
          class="btn btn--primary btn--large welcome__save"
          data-testid="folder-save"
          disabled={busy()}
          aria-busy={busy()}
        >
          {t("welcome.continue")}
          <Icon name="chevron" />
        </button>
      </form>
    </main>
  );
};
