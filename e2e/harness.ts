/**
 * What the end-to-end test runs besides the window: the fixture library, a headless seed peer
 * (`lanparty-peer`, JSON lines), tauri-driver (which starts WebKitWebDriver, which starts the
 * app), and polling helpers. Every process is started here and stopped in `stop()`, and every
 * log is kept so that a failure can print it.
 */

import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createWriteStream, existsSync, readdirSync, readFileSync, readlinkSync, type WriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { connect, createServer } from "node:net";
import { delimiter, join, resolve } from "node:path";
import { createInterface } from "node:readline";

/** Interval between two looks at something awaited. */
const POLL_MS = 100;

export const repo = resolve(import.meta.dirname, "..");
export const targetDir = process.env.CARGO_TARGET_DIR ? resolve(process.env.CARGO_TARGET_DIR) : join(repo, "target");
export const debugDir = join(targetDir, "debug");

/** An executable on PATH (or in ~/.cargo/bin), or null. */
export function which(name: string): string | null {
  const dirs = (process.env.PATH ?? "").split(delimiter);
  if (process.env.HOME) dirs.push(join(process.env.HOME, ".cargo", "bin"));
  for (const dir of dirs) {
    const path = join(dir, name);
    if (dir && existsSync(path)) return path;
  }
  return null;
}

/** Polls `probe` until it returns something other than null/undefined/false, or fails after
 * `timeoutMs` with `what` and the last error the probe threw. */
export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | null | undefined | false> | T | null | undefined | false,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== null && value !== undefined && value !== false) return value;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      const why = lastError instanceof Error ? `; last error: ${lastError.message}` : "";
      throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${why}`);
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** A free TCP port on 127.0.0.1 (free when asked; nothing else here takes ports meanwhile). */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const server = createServer();
    server.once("error", rej);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => res(port));
    });
  });
}

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
function accepts(port: number): Promise<boolean> {
  return new Promise((res) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      res(true);
    });
    socket.once("error", () => res(false));
  });
}

/** Runs a program to its end; throws with its output when it fails. */
export function runOrThrow(program: string, args: string[]): string {
  const r = spawnSync(program, args, { encoding: "utf8" });
  if (r.error) throw new Error(`${program} could not start: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${program} ${args.join(" ")} exited with ${r.status}:\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

/** A started process whose output goes to a log file. */
class Logged {
  readonly log: WriteStream;
  constructor(
    readonly name: string,
    readonly logPath: string,
    readonly child: ChildProcess,
  ) {
    this.log = createWriteStream(logPath);
    child.stderr?.pipe(this.log);
  }

  get isRunning(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it exited. */
  async stop(graceMs = 5000): Promise<void> {
    if (!this.isRunning) return;
    const exited = new Promise<void>((r) => this.child.once("exit", () => r()));
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
    await exited;
    clearTimeout(timer);
  }
}

type PeerLine = { type: string; id?: unknown } & Record<string, unknown>;

/** `lanparty-peer` driven over its JSON lines. */
export class Peer extends Logged {
  private nextId = 1;
  private readonly waiting = new Map<number, (line: PeerLine) => void>();
  readonly lines: PeerLine[] = [];

  static async start(logPath: string, args: string[]): Promise<{ peer: Peer; port: number }> {
    const child = spawn(join(debugDir, "lanparty-peer"), args, {
      stdio: ["pipe", "pipe", "pipe"],
      env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? "info" },
    });
    const peer = new Peer("seed peer", logPath, child);
    // A write to a peer that exited fails later, in `command`'s timeout, not as a crash here.
    child.stdin!.on("error", () => undefined);
    const ready = new Promise<PeerLine>((res, rej) => {
      child.once("exit", (code) =>
        rej(new Error(`lanparty-peer exited with ${code} before it was ready: see ${logPath}`)),
      );
      createInterface({ input: child.stdout! }).on("line", (text) => {
        peer.log.write(`stdout: ${text}\n`);
        let line: PeerLine;
        try {
          line = JSON.parse(text) as PeerLine;
        } catch {
          return;
        }
        peer.lines.push(line);
        if (line.type === "ready") res(line);
        if (typeof line.id === "number") peer.waiting.get(line.id)?.(line);
      });
    });
    const line = await ready;
    return { peer, port: line.port as number };
  }

  /** Sends a command and resolves with its answer (or error line); rejects after `timeoutMs`. */
  command(cmd: string, fields: Record<string, unknown> = {}, timeoutMs = 10_000): Promise<PeerLine> {
    const id = this.nextId++;
    return new Promise((res, rej) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        rej(new Error(`lanparty-peer did not answer ${cmd} within ${timeoutMs / 1000} s: see ${this.logPath}`));
      }, timeoutMs);
      this.waiting.set(id, (line) => {
        clearTimeout(timer);
        this.waiting.delete(id);
        res(line);
      });
      this.child.stdin!.write(`${JSON.stringify({ cmd, id, ...fields })}\n`);
    });
  }
}

/** tauri-driver on `port`, WebKitWebDriver behind it on `nativePort`. */
export class Driver extends Logged {
  static async start(logPath: string, env: NodeJS.ProcessEnv): Promise<{ driver: Driver; url: string }> {
    // The npm package's (package.json) before any other on PATH.
    const bundled = join(repo, "node_modules", ".bin", "tauri-driver");
    const tauriDriver = existsSync(bundled) ? bundled : which("tauri-driver");
    if (!tauriDriver) {
      throw new Error("tauri-driver is missing: `npm install` installs it (@crabnebula/tauri-driver)");
    }
    const nativeDriver = which("WebKitWebDriver");
    if (!nativeDriver) throw new Error("WebKitWebDriver is missing: install Debian's webkit2gtk-driver");
    const [port, nativePort] = [await freePort(), await freePort()];
    const child = spawn(
      tauriDriver,
      ["--port", String(port), "--native-port", String(nativePort), "--native-driver", nativeDriver],
      { stdio: ["ignore", "pipe", "pipe"], env },
    );
    const driver = new Driver("tauri-driver", logPath, child);
    child.stdout?.pipe(driver.log);
    const url = `http://127.0.0.1:${port}`;
    // Asking tauri-driver before WebKitWebDriver listens makes it log an error with a backtrace,
    // so wait for both ports to accept connections first.
    await waitFor("tauri-driver and WebKitWebDriver to listen", 20_000, async () => {
      if (!driver.isRunning) throw new Error(`tauri-driver exited with ${child.exitCode}: see ${logPath}`);
      return (await accepts(nativePort)) && (await accepts(port));
    });
    await waitFor("tauri-driver to answer /status", 10_000, async () => (await fetch(`${url}/status`)).ok);
    return { driver, url };
  }
}

/** Kills every process whose environment holds `marker` (`NAME=value`): the app, which
 * WebKitWebDriver starts, may outlive a driver that was killed. */
export function killByEnv(marker: string): number[] {
  const killed: number[] = [];
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    if (Number(pid) === process.pid) continue;
    try {
      const environ = readFileSync(`/proc/${pid}/environ`, "latin1").split("\0");
      if (!environ.includes(marker)) continue;
      // Leave this test's own helpers (node, tauri-driver) to their owners.
      const exe = readlinkSync(`/proc/${pid}/exe`);
      if (exe.endsWith("/node") || exe.endsWith("/tauri-driver")) continue;
      process.kill(Number(pid), "SIGKILL");
      killed.push(Number(pid));
    } catch {
      // Gone already, or not ours to read.
    }
  }
  return killed;
}

export async function ensureDir(path: string): Promise<string> {
  await mkdir(path, { recursive: true });
  return path;
}

/** The last `maxLines` lines of a text file, or a note that it is missing. */
export function tail(path: string, maxLines = 80, maxWidth = 400): string {
  if (!existsSync(path)) return `(${path} does not exist)`;
  const lines = readFileSync(path, "utf8").split("\n");
  return lines
    .slice(-maxLines)
    .map((l) => (l.length > maxWidth ? `${l.slice(0, maxWidth)}…` : l))
    .join("\n");
}
