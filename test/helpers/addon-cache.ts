// The addon manifests kina pins, as they are upstream (test/fixtures/addons holds the release
// files byte for byte), placed in a fake Mac's $KINA_HOME/cache the way kina caches a download,
// or served by a local mirror ($KINA_ADDON_MIRROR) so the download path runs too.

import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { basename, join } from "node:path";
import { REPO } from "./run.js";

const FIXTURES = join(REPO, "test/fixtures/addons");

interface Pinned {
  url: string;
  sha256: string;
}

/** Every pinned file of every addon, from the built catalog. */
export async function pinnedFiles(): Promise<Pinned[]> {
  const { ADDONS } = (await import(join(REPO, "dist/src/addons/catalog.js"))) as { ADDONS: Record<string, { upstream?: { files: Pinned[] } }> };
  return Object.values(ADDONS).flatMap((a) => a.upstream?.files ?? []);
}

/** Fixture files by their sha256. */
function fixturesBySha(): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of readdirSync(FIXTURES)) out.set(createHash("sha256").update(readFileSync(join(FIXTURES, f))).digest("hex"), join(FIXTURES, f));
  return out;
}

export function cachedPath(kinaHome: string, file: Pinned): string {
  return join(kinaHome, "cache", "addons", file.sha256, basename(new URL(file.url).pathname));
}

/** Puts every pinned file into the cache, as a completed download would have. */
export async function warmAddonCache(kinaHome: string): Promise<void> {
  const bySha = fixturesBySha();
  for (const file of await pinnedFiles()) {
    const fixture = bySha.get(file.sha256);
    if (!fixture) throw new Error(`no fixture in test/fixtures/addons has the sha256 pinned for ${file.url}`);
    const target = cachedPath(kinaHome, file);
    mkdirSync(join(target, ".."), { recursive: true });
    copyFileSync(fixture, target);
  }
}

/** A mirror on 127.0.0.1 serving the pinned files at /<host>/<path>; `requests` records what was asked. */
export async function startAddonMirror(): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const bySha = fixturesBySha();
  const byPath = new Map<string, string>();
  for (const file of await pinnedFiles()) {
    const u = new URL(file.url);
    const fixture = bySha.get(file.sha256);
    if (fixture) byPath.set(`/${u.host}${u.pathname}`, fixture);
  }
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? "");
    const fixture = byPath.get(req.url ?? "");
    if (!fixture) {
      res.writeHead(404).end("404: Not Found");
      return;
    }
    res.writeHead(200, { "content-type": "text/plain" }).end(readFileSync(fixture));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}`, requests, close: () => new Promise((r) => server.close(() => r())) };
}
