/**
 * The real desktop app in a real window (Xvfb), driven through tauri-driver and WebKitWebDriver:
 * first run (choose the game folder), a download from a headless seed peer on 127.0.0.1, the
 * install that follows by itself (real RAR archives, the real `lanparty-unrar`), Play (the
 * game's script writes its arguments), and Uninstall from the detail view.
 *
 * Needs `just app-build` and `cargo build -p lanparty-peer -p lanparty-testkit` first; `just e2e`
 * does both and runs this under `xvfb-run`. Screenshots go to `target/e2e-screenshots/`; on a
 * failure one more is taken and the app's, driver's and peer's logs are printed.
 */

import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, expect, test } from "vitest";

import { debugDir, Driver, ensureDir, killByEnv, Peer, runOrThrow, tail, targetDir, waitFor } from "./harness";
import { Session } from "./webdriver";

/** The fixture game: a catalog game laid out as one archive beside a multi-volume set. */
const GAME = "wesnoth";
/** MiB of data in it: at the seed's upload limit the download takes a few seconds, long enough
 * to be seen (and photographed) while it runs. */
const GAME_MIB = 40;
const SEED_UPLOAD_LIMIT_MIB_S = 12;
/** The player's name, given to the app as the login name it starts from. */
const USERNAME = "e2e-player";

const screenshots = join(targetDir, "e2e-screenshots");
const testid = (id: string) => `[data-testid="${id}"]`;

let work = "";
let peer: Peer | undefined;
let driver: Driver | undefined;
let session: Session | undefined;
let stateMarker = "";
let failed = false;

beforeAll(() => step("start the seed peer and the app", start), 120_000);

async function start(): Promise<void> {
  const app = process.env.LANPARTY_E2E_APP ?? join(debugDir, "lanparty");
  for (const [path, how] of [
    [app, "just app-build"],
    [join(debugDir, "lanparty-peer"), "cargo build -p lanparty-peer"],
    [join(debugDir, "lanparty-demo-library"), "cargo build -p lanparty-testkit"],
  ] as const) {
    if (!existsSync(path)) throw new Error(`${path} is missing: run \`${how}\` (just e2e does)`);
  }
  if (!process.env.DISPLAY) throw new Error("no DISPLAY: run under xvfb-run (just e2e does)");

  await rm(screenshots, { recursive: true, force: true });
  await ensureDir(screenshots);
  work = await mkdtemp(join(tmpdir(), "lanparty-e2e-"));
  const seedGames = join(work, "seed-games");
  runOrThrow(join(debugDir, "lanparty-demo-library"), ["--games", GAME, "--mib", String(GAME_MIB), seedGames]);

  const started = await Peer.start(join(work, "seed-peer.log"), [
    "--games-dir", seedGames,
    "--state-dir", join(work, "seed-state"),
    "--name", "E2E seed",
    "--port", "0",
    "--no-mdns",
    "--upload-limit", String(SEED_UPLOAD_LIMIT_MIB_S),
  ]);
  peer = started.peer;
  await waitFor(`the seed peer to share ${GAME}`, 60_000, async () => {
    const answer = await peer!.command("list-games");
    const games = (answer.games ?? []) as Array<{ id: string; shareable: boolean }>;
    return games.some((g) => g.id === GAME && g.shareable);
  });

  const appState = join(work, "app-state");
  stateMarker = `LANPARTY_STATE_DIR=${appState}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LANPARTY_STATE_DIR: appState,
    LANPARTY_PEERS: `127.0.0.1:${started.port}`,
    LANPARTY_PORT: "0",
    LANPARTY_NO_MDNS: "1",
    USER: USERNAME,
    RUST_LOG: process.env.RUST_LOG ?? "info",
  };
  // The games folder is chosen in the window, as a new player does.
  delete env.LANPARTY_GAMES_DIR;
  const d = await Driver.start(join(work, "tauri-driver.log"), env);
  driver = d.driver;
  session = await Session.create(d.url, { "tauri:options": { application: app } });
}

afterAll(async () => {
  await session?.delete().catch(() => undefined);
  await driver?.stop();
  if (stateMarker) killByEnv(stateMarker);
  await peer?.stop();
  if (work && !process.env.LANPARTY_E2E_KEEP && !failed) await rm(work, { recursive: true, force: true });
  else if (work) console.error(`e2e: kept ${work}`);
});

/** Runs the step; on failure saves a screenshot and prints the logs before rethrowing. */
async function step<T>(name: string, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (e) {
    failed = true;
    if (!work) throw e;
    const shot = join(screenshots, "failure.png");
    try {
      if (session) await writeFile(shot, await session.screenshot());
      console.error(`e2e: screenshot of the failure: ${shot}`);
    } catch (s) {
      console.error(`e2e: no screenshot (${String(s)})`);
    }
    try {
      const html = (await session?.execute("return document.body.innerText")) as string | undefined;
      console.error(`--- the window's text ---\n${html?.slice(0, 4000)}`);
    } catch {
      // The window may be gone.
    }
    console.error(`--- app and WebDriver (tauri-driver.log) ---\n${tail(join(work, "tauri-driver.log"), 120)}`);
    console.error(`--- seed peer ---\n${tail(join(work, "seed-peer.log"), 60)}`);
    for (const log of [`play-${GAME}.log`, "unpack.json"]) {
      console.error(`--- app state logs/${log} ---\n${tail(join(work, "app-state", "logs", log), 40)}`);
    }
    throw new Error(`step "${name}" failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

/** Resolves once no finite CSS animation runs (a dialog fading in) and two frames were drawn. */
const SETTLE_SCRIPT = `
  const done = arguments[arguments.length - 1];
  const check = () => {
    const running = document.getAnimations().filter(
      (a) => a.playState === "running" && a.effect && a.effect.getComputedTiming().iterations !== Infinity,
    );
    if (running.length === 0) requestAnimationFrame(() => requestAnimationFrame(() => done(true)));
    else setTimeout(check, 50);
  };
  check();
`;

/** Saves a screenshot of the settled window as target/e2e-screenshots/NAME.png. */
async function shoot(name: string): Promise<void> {
  await session!.executeAsync(SETTLE_SCRIPT);
  await writeFile(join(screenshots, `${name}.png`), await session!.screenshot());
}

async function isShown(css: string): Promise<boolean> {
  return (await session!.find(css)) !== null;
}

async function statusOf(game: string): Promise<string> {
  return (await session!.text(testid(`game-status-${game}`))).trim();
}

test("first run, download, install, play and uninstall in the real window", async () => {
  const s = session!;
  const games = await ensureDir(join(work, "my-games"));
  const local = join(games, GAME, "local");

  await step("the welcome screen shows", () => waitFor("the welcome screen", 30_000, () => isShown(testid("welcome"))));
  await step("choose the game folder", async () => {
    await s.type(testid("folder-input"), games);
    await s.click(testid("folder-save"));
    await waitFor("the welcome screen to close", 20_000, async () => !(await isShown(testid("welcome"))));
  });

  await step("the seed's game appears", async () => {
    await waitFor(`the card of ${GAME}`, 30_000, () => isShown(testid(`game-card-${GAME}`)));
    // Enabled once the app sees a peer holding the game.
    await waitFor(`${GAME}'s action to be enabled`, 30_000, async () => {
      const disabled = await s.property(testid(`game-action-${GAME}`), "disabled");
      return disabled === false;
    });
    await shoot("library");
  });

  await step("download", async () => {
    await s.click(testid(`game-action-${GAME}`));
    const progress = testid(`game-progress-${GAME}`);
    await waitFor("the download's progress", 20_000, async () =>
      (await isShown(progress)) || /^downloading$/i.test(await statusOf(GAME)),
    );
    // A screenshot once the bar has moved, unless the download is over by then.
    const moved = await waitFor("the progress bar to move", 15_000, async () => {
      if (!/^downloading$/i.test(await statusOf(GAME))) return "finished";
      return Number((await s.attribute(progress, "aria-valuenow")) ?? 0) > 0 ? "moved" : null;
    });
    if (moved === "moved") await shoot("downloading");
    else console.warn("e2e: the download ended before its progress bar moved: no downloading.png");
  });

  await step("installed by itself", async () => {
    await waitFor(`${GAME} to be installed`, 120_000, async () => /^installed$/i.test(await statusOf(GAME)));
    expect(existsSync(join(local, "game_start.sh"))).toBe(true);
    // The data came out of the multi-volume set whole.
    expect(existsSync(join(local, "data", `${GAME}-5.pak`))).toBe(true);
  });

  await step("play", async () => {
    await s.click(testid(`game-action-${GAME}`));
    const played = join(local, "played.txt");
    // The script writes its two lines one after the other: wait for both.
    const text = await waitFor("the game's script to write played.txt", 20_000, () => {
      const now = existsSync(played) ? readFileSync(played, "utf8") : "";
      return now.split("\n").filter(Boolean).length >= 2 ? now : null;
    });
    expect(text.split("\n").filter(Boolean)).toEqual([USERNAME, "english"]);
  });

  await step("detail view and uninstall", async () => {
    await s.click(testid(`game-card-${GAME}`));
    await waitFor("the detail view", 10_000, () => isShown(testid("detail")));
    await shoot("detail");
    await s.click(testid("detail-action-uninstall"));
    await waitFor("local/ to be removed", 30_000, async () => {
      // Uninstall asks first.
      if (await isShown(testid("confirm-yes"))) await s.click(testid("confirm-yes"));
      return !existsSync(local);
    });
    // The downloaded archives stay.
    expect(existsSync(join(games, GAME, "version.ini"))).toBe(true);
    await waitFor(`${GAME} to show as downloaded`, 10_000, () =>
      isShown(testid("detail-action-install")),
    );
  });
});
