/** The system folder picker, from Tauri's dialog plugin. */

import { open } from "@tauri-apps/plugin-dialog";

export async function pickFolder(title: string): Promise<string | null> {
  const picked = await open({ directory: true, multiple: false, title });
  return Array.isArray(picked) ? (picked[0] ?? null) : picked;
}
