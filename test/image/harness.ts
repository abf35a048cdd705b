// Runs the node image's shell scripts against a fake root folder, with recording stubs for the
// system tools they call (test/image/fixtures/bin) and nothing else from the host on PATH.
import { spawnSync } from "node:child_process";
import {
  accessSync,
  constants,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
export const imageDir = join(repoRoot, "images", "node");
export const filesDir = join(imageDir, "files");
export const fixturesDir = join(repoRoot, "test", "image", "fixtures");

export const PREP = join(filesDir, "usr/local/bin/kina-node-prep");
export const HEAL = join(filesDir, "usr/local/bin/kina-ip-heal");
export const STAMP = join(filesDir, "usr/local/lib/kina/stamp-image");

const STUBS: Record<string, string> = {
  sysctl: "sysctl",
  "iptables-nft": "iptables",
  "iptables-legacy": "iptables",
  "update-alternatives": "update-alternatives",
  systemctl: "systemctl",
  kubeadm: "kubeadm",
  openssl: "openssl",
};

// What the scripts may use from the host: the POSIX tools every Debian image has.
const HOST_TOOLS = [
  "sh", "awk", "sed", "grep", "cp", "mv", "rm", "mkdir", "cat", "cmp", "dirname", "basename",
  "chmod", "tr", "cut", "sort", "paste", "touch", "head", "tail", "sleep",
];

export function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface FileState {
  ino: number;
  mtimeMs: number;
  mode: number;
  content: string;
}

export class NodeSandbox {
  readonly dir: string;
  readonly root: string;
  readonly state: string;
  readonly bin: string;
  private readonly realOpenssl: string;

  constructor() {
    const openssl = findOnPath("openssl");
    if (!openssl) throw new Error("the image tests need openssl on PATH (the kubeadm stub makes real certificates)");
    this.realOpenssl = openssl;
    this.dir = mkdtempSync(join(tmpdir(), "kina-image-test-"));
    this.root = join(this.dir, "root");
    this.state = join(this.dir, "stub-state");
    this.bin = join(this.dir, "bin");
    for (const d of [this.root, this.state, this.bin]) mkdirSync(d, { recursive: true });
    for (const [name, stub] of Object.entries(STUBS)) {
      symlinkSync(join(fixturesDir, "bin", stub), join(this.bin, name));
    }
    for (const tool of HOST_TOOLS) {
      const path = findOnPath(tool);
      if (!path) throw new Error(`the image tests need ${tool} on PATH`);
      symlinkSync(path, join(this.bin, tool));
    }
  }

  env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      PATH: this.bin,
      HOME: this.dir,
      LC_ALL: "C",
      KINA_ROOT: this.root,
      KINA_STUB_STATE: this.state,
      KINA_REAL_OPENSSL: this.realOpenssl,
      ...extra,
    };
  }

  run(script: string, args: string[] = [], extraEnv: Record<string, string> = {}): RunResult {
    const result = spawnSync(script, args, { env: this.env(extraEnv), encoding: "utf8" });
    if (result.error) throw result.error;
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  /** Copies a fixture tree into the root, replacing @NAME@ placeholders. */
  seed(fixture: string, values: Record<string, string>): void {
    cpSync(join(fixturesDir, fixture), this.root, { recursive: true });
    for (const file of this.files()) {
      const path = join(this.root, file);
      writeFileSync(path, render(readFileSync(path, "utf8"), values));
    }
  }

  /** Every regular file under the root, as root-relative paths. */
  files(): string[] {
    const out: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (entry.isFile()) out.push(relative(this.root, path));
      }
    };
    walk(this.root);
    return out.sort();
  }

  read(file: string): string {
    return readFileSync(join(this.root, file), "utf8");
  }

  exists(file: string): boolean {
    return existsSync(join(this.root, file));
  }

  write(file: string, content: string): void {
    const path = join(this.root, file);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }

  /** inode, mtime, mode and content of every file under the root and the stub state. */
  snapshot(): Map<string, FileState> {
    const snap = new Map<string, FileState>();
    const walk = (dir: string, label: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path, `${label}/${entry.name}`);
        else if (entry.isFile() && entry.name !== "calls.log") {
          const st = statSync(path);
          snap.set(`${label}/${entry.name}`, {
            ino: st.ino,
            mtimeMs: st.mtimeMs,
            mode: st.mode,
            content: readFileSync(path, "utf8"),
          });
        }
      }
    };
    walk(this.root, "root");
    walk(this.state, "stub-state");
    return snap;
  }

  /** The recorded stub calls, one "tool arg…" string each. */
  calls(): string[] {
    const log = join(this.state, "calls.log");
    return existsSync(log) ? readFileSync(log, "utf8").split("\n").filter(Boolean) : [];
  }

  clearCalls(): void {
    rmSync(join(this.state, "calls.log"), { force: true });
  }

  /** Creates a flag file in the stub state (e.g. "kubeadm-fails", "active/containerd"). */
  flag(name: string, content = ""): void {
    const path = join(this.state, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }

  unflag(name: string): void {
    rmSync(join(this.state, name), { force: true });
  }

  stubState(name: string): string | undefined {
    const path = join(this.state, name);
    return existsSync(path) ? readFileSync(path, "utf8") : undefined;
  }

  rules(backend: "iptables-nft" | "iptables-legacy"): string[] {
    return (this.stubState(`${backend}.rules`) ?? "").split("\n").filter(Boolean);
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function render(template: string, values: Record<string, string>): string {
  return template.replace(/@([A-Z_]+)@/g, (whole, name: string) => values[name] ?? whole);
}

/** Files under a fixture tree, as root-relative paths. */
export function fixtureFiles(fixture: string): string[] {
  const base = join(fixturesDir, fixture);
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else out.push(relative(base, path));
    }
  };
  walk(base);
  return out.sort();
}

export function fixtureText(fixture: string, file: string): string {
  return readFileSync(join(fixturesDir, fixture, file), "utf8");
}
