/**
 * The one door to the Tauri shell. Everything the UI asks of the runtime goes through an `Api`
 * object: commands answer typed values or throw an `ApiError`, events arrive as plain payloads.
 * Stores take the `Api` as a parameter, so tests hand them a fake and never need a webview.
 */

import { commands, events } from "../bindings";
import type {
  AppError,
  AppInfo,
  EventsLagged,
  FolderCheck,
  GameInfo,
  Launched,
  LibrarySnapshot,
  LibraryStatus,
  LogLine,
  NetworkDiagnosis,
  PeerInfo,
  Problem,
  RuntimeEventPayload,
  RuntimeState,
  ScanReport,
  ServerLog,
  Settings,
  Started,
  UnpackRun,
} from "../bindings";
import { pickFolder } from "./dialog";

/** A runtime event: the serde form of `lanparty_core::Event`, tagged by `type`. */
export type RuntimeEvent = RuntimeEventPayload;

export type {
  AppError,
  AppInfo,
  EventsLagged,
  FolderCheck,
  GameInfo,
  Launched,
  LibrarySnapshot,
  LibraryStatus,
  LogLine,
  NetworkDiagnosis,
  PeerInfo,
  Problem,
  RuntimeState,
  ScanReport,
  ServerLog,
  Settings,
  Started,
  UnpackRun,
};
export type { InterfaceInfo, MdnsState, PeerCopy, PeerRate } from "../bindings";

/**
 * A command failed. `message` is the runtime's English and already says what to do; `problem`,
 * when the runtime sent one, is the same failure as a code and arguments for the UI to word in
 * the player's language.
 */
export class ApiError extends Error {
  readonly kind: string;
  readonly problem: Problem | null;

  constructor(kind: string, message: string, problem: Problem | null = null) {
    super(message);
    this.name = "ApiError";
    this.kind = kind;
    this.problem = problem;
  }
}

/** A running operation: the game and what runs on it (`download`, `install`, `play`, ...). */
export type Operation = [game: string, what: string];

/** Stops listening to an event. */
export type Unlisten = () => void;

export interface Api {
  libraryList(): Promise<LibrarySnapshot>;
  libraryStatus(): Promise<LibraryStatus>;
  libraryRescan(): Promise<ScanReport>;
  gameDownload(game: string): Promise<Started>;
  gameUpdate(game: string): Promise<Started>;
  gameCancel(game: string): Promise<void>;
  gameInstall(game: string): Promise<void>;
  gameUninstall(game: string): Promise<void>;
  gameRemove(game: string): Promise<void>;
  gamePlay(game: string): Promise<Launched>;
  gameStartServer(game: string): Promise<Launched>;
  gameShowFiles(game: string): Promise<void>;
  /** The cover as a data URL, or null when the game has none. */
  gameCover(game: string): Promise<string | null>;
  peersList(): Promise<PeerInfo[]>;
  peersAdd(addr: string): Promise<void>;
  peersRemove(addr: string): Promise<void>;
  peersDiagnose(): Promise<NetworkDiagnosis>;
  /** Games with an operation running, and which. */
  operationsList(): Promise<Operation[]>;
  unpackLog(): Promise<UnpackRun[]>;
  appLog(): Promise<LogLine[]>;
  /** One log per game whose dedicated server was started without a terminal. */
  serverLogs(): Promise<ServerLog[]>;
  settingsGet(): Promise<Settings>;
  settingsSet(settings: Settings): Promise<Settings>;
  settingsCheckFolder(path: string): Promise<FolderCheck>;
  appVersion(): Promise<string>;
  appInfo(): Promise<AppInfo>;
  /** The runtime's state now; `onRuntimeState` tells its changes. */
  appStatus(): Promise<RuntimeState>;
  /** Opens the system folder picker; null when the person cancels. */
  pickFolder(title: string): Promise<string | null>;
  onRuntimeEvent(listener: (event: RuntimeEvent) => void): Promise<Unlisten>;
  onRuntimeState(listener: (state: RuntimeState) => void): Promise<Unlisten>;
  /** The window fell behind and lost runtime events: what it shows must be re-read. */
  onEventsLagged(listener: (lag: EventsLagged) => void): Promise<Unlisten>;
}

/** What a generated command answers: a `Result` for fallible commands, the value otherwise. */
type Unwrapped<R> = R extends { status: "ok"; data: infer T }
  ? T
  : R extends { status: "error"; error: unknown }
    ? never
    : R;

/** Turns a generated command's answer into its value, or throws the error it carries. */
export async function unwrap<R>(answer: Promise<R>): Promise<Unwrapped<R>> {
  const result: unknown = await answer;
  if (isResult(result)) {
    if (result.status === "ok") return result.data as Unwrapped<R>;
    throw toApiError(result.error);
  }
  return result as Unwrapped<R>;
}

function isResult(
  value: unknown,
): value is { status: "ok"; data: unknown } | { status: "error"; error: unknown } {
  if (typeof value !== "object" || value === null || !("status" in value)) return false;
  return ("data" in value && value.status === "ok") || ("error" in value && value.status === "error");
}

/** Any thrown or returned error as an `ApiError`, keeping the shell's kind and message. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (typeof error === "string") return new ApiError("Unknown", error);
  if (typeof error === "object" && error !== null) {
    const { kind, message, problem } = error as Partial<AppError> & { message?: unknown; problem?: unknown };
    if (typeof message === "string") {
      return new ApiError(typeof kind === "string" ? kind : "Unknown", message, asProblem(problem));
    }
  }
  if (error instanceof Error) return new ApiError("Unknown", error.message);
  return new ApiError("Unknown", String(error));
}

/** `value` when it has the shape of a `Problem` (a code and text arguments), else null. */
function asProblem(value: unknown): Problem | null {
  if (typeof value !== "object" || value === null) return null;
  const { code, args } = value as { code?: unknown; args?: unknown };
  if (typeof code !== "string" || typeof args !== "object" || args === null) return null;
  const text: Record<string, string> = {};
  for (const [name, arg] of Object.entries(args)) if (typeof arg === "string") text[name] = arg;
  return { code, args: text };
}

/** The message to show for any failure. */
export function errorMessage(error: unknown): string {
  return toApiError(error).message;
}

/** The kind of an `AppError`, or "Unknown" for anything else. */
export function errorKind(error: unknown): string {
  return toApiError(error).kind;
}

/** Unit-returning commands answer `null`; the UI only cares that they succeeded. */
async function done(answer: Promise<unknown>): Promise<void> {
  await unwrap(answer);
}

/** The `Api` backed by the Tauri shell. */
export function createTauriApi(): Api {
  return {
    libraryList: () => unwrap(commands.libraryList()),
    libraryStatus: () => unwrap(commands.libraryStatus()),
    libraryRescan: () => unwrap(commands.libraryRescan()),
    gameDownload: (game) => unwrap(commands.gameDownload(game)),
    gameUpdate: (game) => unwrap(commands.gameUpdate(game)),
    gameCancel: (game) => done(commands.gameCancel(game)),
    gameInstall: (game) => done(commands.gameInstall(game)),
    gameUninstall: (game) => done(commands.gameUninstall(game)),
    gameRemove: (game) => done(commands.gameRemove(game)),
    gamePlay: (game) => unwrap(commands.gamePlay(game)),
    gameStartServer: (game) => unwrap(commands.gameStartServer(game)),
    gameShowFiles: (game) => done(commands.gameShowFiles(game)),
    gameCover: (game) => unwrap(commands.gameCover(game)),
    peersList: () => unwrap(commands.peersList()),
    peersAdd: (addr) => done(commands.peersAdd(addr)),
    peersRemove: (addr) => done(commands.peersRemove(addr)),
    peersDiagnose: () => unwrap(commands.peersDiagnose()),
    operationsList: () => unwrap(commands.operationsList()),
    unpackLog: () => unwrap(commands.unpackLog()),
    appLog: () => unwrap(commands.appLog()),
    serverLogs: () => unwrap(commands.serverLogs()),
    settingsGet: () => unwrap(commands.settingsGet()),
    settingsSet: (settings) => unwrap(commands.settingsSet(settings)),
    settingsCheckFolder: (path) => unwrap(commands.settingsCheckFolder(path)),
    appVersion: () => unwrap(commands.appVersion()),
    appInfo: () => unwrap(commands.appInfo()),
    appStatus: () => unwrap(commands.appStatus()),
    pickFolder,
    onRuntimeEvent: (listener) => events.runtimeEvent.listen((e) => listener(e.payload)),
    onRuntimeState: (listener) => events.runtimeState.listen((e) => listener(e.payload)),
    onEventsLagged: (listener) => events.eventsLagged.listen((e) => listener(e.payload)),
  };
}
