// Vitest runs without injected globals, so the testing library cannot register its own
// clean-up; without this, every test would see the components rendered by the tests before it.
import { cleanup } from "@solidjs/testing-library";
import { afterEach } from "vitest";

afterEach(cleanup);
