/**
 * A small W3C WebDriver client over `fetch`: just what the end-to-end test uses (sessions,
 * finding elements by CSS, clicking, typing, reading text and attributes, screenshots), talking
 * to tauri-driver, which forwards to WebKitWebDriver. Elements are found anew for every action,
 * so a re-render between two actions cannot leave the test holding a stale element.
 */

/** The W3C key for an element reference in a response. */
const ELEMENT_KEY = "element-6066-11e4-a52e-4f735466cecf";

export class WebDriverError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    message: string,
  ) {
    super(message);
  }
}

export class Session {
  private constructor(
    private readonly base: string,
    readonly id: string,
  ) {}

  /** Opens a session; `capabilities` go in `alwaysMatch`. */
  static async create(driverUrl: string, capabilities: Record<string, unknown>): Promise<Session> {
    const value = (await call(driverUrl, "POST", "/session", { capabilities: { alwaysMatch: capabilities } })) as {
      sessionId: string;
    };
    return new Session(driverUrl, value.sessionId);
  }

  private cmd(method: string, path: string, body?: unknown): Promise<unknown> {
    return call(this.base, method, `/session/${this.id}${path}`, body);
  }

  async delete(): Promise<void> {
    await call(this.base, "DELETE", `/session/${this.id}`);
  }

  /** The element reference of the first match of `css`, or null. */
  async find(css: string): Promise<string | null> {
    const found = (await this.cmd("POST", "/elements", { using: "css selector", value: css })) as Array<
      Record<string, string>
    >;
    const first = found[0];
    return first ? (first[ELEMENT_KEY] ?? null) : null;
  }

  private async must(css: string): Promise<string> {
    const el = await this.find(css);
    if (el === null) throw new Error(`no element matches ${css}`);
    return el;
  }

  async click(css: string): Promise<void> {
    await this.cmd("POST", `/element/${await this.must(css)}/click`, {});
  }

  async clear(css: string): Promise<void> {
    await this.cmd("POST", `/element/${await this.must(css)}/clear`, {});
  }

  async type(css: string, text: string): Promise<void> {
    await this.cmd("POST", `/element/${await this.must(css)}/value`, { text });
  }

  async text(css: string): Promise<string> {
    return (await this.cmd("GET", `/element/${await this.must(css)}/text`)) as string;
  }

  async attribute(css: string, name: string): Promise<string | null> {
    return (await this.cmd("GET", `/element/${await this.must(css)}/attribute/${name}`)) as string | null;
  }

  async property(css: string, name: string): Promise<unknown> {
    return this.cmd("GET", `/element/${await this.must(css)}/property/${name}`);
  }

  /** Runs `script` (a function body) in the page with `args`. */
  async execute(script: string, args: unknown[] = []): Promise<unknown> {
    return this.cmd("POST", "/execute/sync", { script, args });
  }

  /** Runs `script` (a function body whose last argument is the callback to call with the result). */
  async executeAsync(script: string, args: unknown[] = []): Promise<unknown> {
    return this.cmd("POST", "/execute/async", { script, args });
  }

  /** Sends keys to the focused element (e.g. "\uE00C" for Escape). */
  async keys(text: string): Promise<void> {
    const actions = [...text].flatMap((value) => [
      { type: "keyDown", value },
      { type: "keyUp", value },
    ]);
    await this.cmd("POST", "/actions", { actions: [{ type: "key", id: "keyboard", actions }] });
    await this.cmd("DELETE", "/actions");
  }

  /** A PNG of the window. */
  async screenshot(): Promise<Buffer> {
    return Buffer.from((await this.cmd("GET", "/screenshot")) as string, "base64");
  }
}

/** Longest wait for one command; a new session (the app starting) gets longer. */
const COMMAND_TIMEOUT_MS = 30_000;
const NEW_SESSION_TIMEOUT_MS = 60_000;

async function call(base: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const timeoutMs = path === "/session" ? NEW_SESSION_TIMEOUT_MS : COMMAND_TIMEOUT_MS;
  const init: RequestInit = {
    method,
    headers: { "content-type": "application/json; charset=utf-8" },
    signal: AbortSignal.timeout(timeoutMs),
  };
  if (body !== undefined) init.body = JSON.stringify(body);
  let res: Response;
  try {
    res = await fetch(base + path, init);
  } catch (e) {
    const why = e instanceof Error && e.name === "TimeoutError" ? `no answer within ${timeoutMs / 1000} s` : String(e);
    throw new WebDriverError(0, "no response", `${method} ${path}: ${why}`);
  }
  const text = await res.text();
  let json: { value?: { error?: string; message?: string } & Record<string, unknown> };
  try {
    json = JSON.parse(text) as typeof json;
  } catch {
    throw new WebDriverError(res.status, "invalid response", `${method} ${path}: HTTP ${res.status}: ${text}`);
  }
  const value = json.value;
  if (!res.ok || (value && typeof value.error === "string")) {
    throw new WebDriverError(
      res.status,
      value?.error ?? "unknown error",
      `${method} ${path}: ${value?.error ?? res.status}: ${value?.message ?? text}`,
    );
  }
  return value;
}
