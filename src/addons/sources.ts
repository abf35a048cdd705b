// Where addon manifests come from: upstream release files pinned by sha256 and cached under
// $KINA_HOME/cache/addons/<sha256>/ (a warm cache works offline; a file that does not match its
// checksum is never applied), or the user's own manifest (`--manifest FILE|URL`, `manifest:` in
// the config), taken as given. $KINA_ADDON_MIRROR (a base URL) serves the pinned files from a
// mirror of the user's: <mirror>/<host>/<path>, checked against the same checksums.

import { createHash } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { basename, isAbsolute, join } from "node:path";
import type { PinnedFile } from "./catalog.js";

export class ManifestSourceError extends Error {
  readonly hint?: string;
  constructor(message: string, hint?: string) {
    super(message);
    this.name = "ManifestSourceError";
    if (hint) this.hint = hint;
  }
}

const sha256 = (b: Buffer | string) => createHash("sha256").update(b).digest("hex");

export function cachePath(home: string, file: PinnedFile): string {
  return join(home, "cache", "addons", file.sha256, basename(new URL(file.url).pathname));
}

function downloadUrl(file: PinnedFile, env: NodeJS.ProcessEnv): string {
  const mirror = env.KINA_ADDON_MIRROR?.replace(/\/+$/, "");
  if (!mirror) return file.url;
  const u = new URL(file.url);
  return `${mirror}/${u.host}${u.pathname}`;
}

async function download(url: string, signal: AbortSignal): Promise<Buffer> {
  let res: Response;
  try {
    res = await fetch(url, { signal, redirect: "follow" });
  } catch (error) {
    if (signal.aborted) throw error;
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new ManifestSourceError(
      `cannot download ${url}: ${cause?.code ?? cause?.message ?? (error as Error).message}`,
      "kina needs the network once per pinned file (then it is cached); offline, give your own copy with --manifest FILE, or serve the files from a mirror with KINA_ADDON_MIRROR=URL",
    );
  }
  if (!res.ok) throw new ManifestSourceError(`cannot download ${url}: HTTP ${res.status} ${res.statusText}`);
  return Buffer.from(await res.arrayBuffer());
}

/** A pinned upstream file: from the cache when it is there (and still matches), else downloaded and cached. */
export async function loadPinned(
  file: PinnedFile,
  opts: { home: string; env: NodeJS.ProcessEnv; signal: AbortSignal; log: (line: string) => void },
): Promise<string> {
  const path = cachePath(opts.home, file);
  const cached = await readFile(path).catch(() => undefined);
  if (cached) {
    const got = sha256(cached);
    if (got !== file.sha256) {
      throw new ManifestSourceError(
        `the cached manifest ${path} does not match its pinned sha256 (expected ${file.sha256}, got ${got}); it was not applied`,
        `delete it and install again to download ${file.url} afresh: rm ${path}`,
      );
    }
    opts.log(`cache hit ${path}`);
    return cached.toString("utf8");
  }
  const url = downloadUrl(file, opts.env);
  opts.log(`download ${url}`);
  const body = await download(url, opts.signal);
  const got = sha256(body);
  if (got !== file.sha256) {
    throw new ManifestSourceError(
      `${url} does not match its pinned sha256 (expected ${file.sha256}, got ${got}); it was not applied`,
      "the file changed upstream or on the way (a proxy or mirror); give the manifest yourself with --manifest FILE if you trust it",
    );
  }
  await mkdir(join(path, ".."), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, body, { mode: 0o600 });
  await rename(tmp, path);
  return body.toString("utf8");
}

/** The user's manifest: a file path (absolute; resolved when given) or an http(s) URL. No checksum. */
export async function loadUserManifest(source: string, signal: AbortSignal): Promise<string> {
  if (/^https?:\/\//.test(source)) return (await download(source, signal)).toString("utf8");
  if (!isAbsolute(source)) throw new ManifestSourceError(`manifest path ${source} is not absolute`);
  try {
    return await readFile(source, "utf8");
  } catch (error) {
    throw new ManifestSourceError(`cannot read the manifest ${source}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}
