// The per-cluster store: lowdb over a durable, schema-checked JSON file. A file kina cannot parse,
// or one from a newer kina, is refused and never written: the user's data is never lost to an
// overwrite.

import { readFileSync } from "node:fs";
import { access, readFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { Adapter, Low } from "lowdb";
import { diskRefusal, diskRemedy, ensurePrivateDir, writeFileDurable } from "./durable.js";
import { migrate } from "./migrations.js";
import { clusterPaths, type ClusterPaths } from "./paths.js";
import { conformingState } from "./check.js";
import { SCHEMA_VERSION } from "./records.js";
import type { ClusterState } from "./schema.js";

export class StateRefusedError extends Error {
  /** The reason alone (`state file P cannot be read: …`), without the recovery advice. */
  readonly reason: string;
  constructor(message: string, reason?: string) {
    super(message);
    this.name = "StateRefusedError";
    this.reason = reason ?? message;
  }
}

/** The disk refused a checkpoint; state.json on disk is the previous one, whole. */
export class StateNotSavedError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StateNotSavedError";
  }
}

const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

function corrupt(path: string, cluster: string, detail: string): StateRefusedError {
  return new StateRefusedError(
    `state file ${path} cannot be read: ${detail}. kina left it untouched. To recover: fix it by hand, ` +
      `or move it aside (mv ${path} ${path}.broken) and run \`kina delete ${cluster}\` to remove the ` +
      `cluster's VMs by label.`,
    `state file ${path} cannot be read: ${detail}`,
  );
}

/** lowdb adapter: durable writes, strict reads. */
class DurableStateFile implements Adapter<ClusterState> {
  /** Set when the file on disk is of an older schema version: its bytes, kept as a backup on the first write. */
  private older: { version: number; text: string } | undefined;

  constructor(
    private readonly path: string,
    private readonly cluster: string,
  ) {}

  async read(): Promise<ClusterState | null> {
    let text: string;
    try {
      // One small file, read at once: the sync read skips fs/promises' FileHandle machinery,
      // which costs `kina status` more than the read itself.
      text = readFileSync(this.path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw error;
    }
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (error) {
      throw corrupt(this.path, this.cluster, `it is not valid JSON (${(error as Error).message})`);
    }
    if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
      throw corrupt(this.path, this.cluster, "it is not a JSON object");
    }
    const version = (doc as Record<string, unknown>).schemaVersion;
    if (typeof version !== "number" || !Number.isInteger(version) || version < 1) {
      throw corrupt(this.path, this.cluster, "it has no valid schemaVersion");
    }
    if (version > SCHEMA_VERSION) {
      throw new StateRefusedError(
        `state file ${this.path} was written by a newer kina (state schema version ${version}; this kina ` +
          `understands up to ${SCHEMA_VERSION}). kina left it untouched: upgrade kina to manage this cluster.`,
      );
    }
    const migrated = migrate(doc as Record<string, unknown>, version, SCHEMA_VERSION);
    this.older = version < SCHEMA_VERSION ? { version, text } : undefined;
    // A file kina wrote passes the light check; anything else goes to the schema (zod, loaded only
    // then), which has the last word and names the first thing that is wrong.
    const light = conformingState(migrated);
    if (light) return light;
    const { ClusterState } = await import("./schema.js");
    const parsed = ClusterState.safeParse(migrated);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw corrupt(
        this.path,
        this.cluster,
        `it does not match kina's state schema (${issue?.path.join(".") || "(root)"}: ${issue?.message})`,
      );
    }
    return parsed.data;
  }

  async write(data: ClusterState): Promise<void> {
    try {
      await this.writeNow(data);
    } catch (error) {
      const why = diskRefusal(error);
      if (!why) throw error;
      // writeFileDurable renames only a finished, synced file: the old one is still whole.
      throw new StateNotSavedError(
        `could not save the state of cluster "${this.cluster}" to ${this.path}: ${why}. The file is intact: ` +
          `it holds the state as of the last step saved, and \`kina status ${this.cluster}\` reads it. ` +
          `${capitalized(diskRemedy(error, dirname(this.path)))}, then run \`kina resume ${this.cluster}\`.`,
        { cause: error },
      );
    }
  }

  private async writeNow(data: ClusterState): Promise<void> {
    if (this.older) {
      // The first write in the new format keeps the old file beside it, once.
      const backup = `${this.path}.v${this.older.version}.bak`;
      if (!(await exists(backup))) await writeFileDurable(backup, this.older.text);
      this.older = undefined;
    }
    await writeFileDurable(this.path, `${JSON.stringify(data, null, 2)}\n`);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

export class ClusterStore {
  /** lowdb, loaded on the first save: the read-only commands (`kina status`) never load it. */
  private db: Low<ClusterState> | undefined;

  private constructor(
    readonly name: string,
    readonly paths: ClusterPaths,
    private readonly adapter: DurableStateFile,
    private readonly state: ClusterState,
  ) {}

  get data(): ClusterState {
    return this.db?.data ?? this.state;
  }

  private async lowdb(): Promise<Low<ClusterState>> {
    if (!this.db) {
      const { Low } = await import("lowdb");
      this.db ??= new Low<ClusterState>(this.adapter, this.state);
    }
    return this.db;
  }

  /** Opens an existing cluster's state; undefined when there is none. Throws StateRefusedError. */
  static async open(name: string, env: NodeJS.ProcessEnv = process.env): Promise<ClusterStore | undefined> {
    const paths = clusterPaths(name, env);
    const adapter = new DurableStateFile(paths.state, name);
    const data = await adapter.read();
    if (!data) return undefined;
    return new ClusterStore(name, paths, adapter, data);
  }

  /** Creates the folder and writes the first state durably. */
  static async create(state: ClusterState, env: NodeJS.ProcessEnv = process.env): Promise<ClusterStore> {
    const paths = clusterPaths(state.name, env);
    await ensurePrivateDir(paths.dir);
    await ensurePrivateDir(paths.logs);
    const store = new ClusterStore(state.name, paths, new DurableStateFile(paths.state, state.name), state);
    await store.save();
    return store;
  }

  private writes: Promise<void> = Promise.resolve();

  /**
   * Writes the current data durably; returns when it is on disk. Writes are queued, so two saves
   * never race their renames: the last one on disk holds the latest data.
   */
  async save(): Promise<void> {
    const write = this.writes.then(async () => {
      const db = await this.lowdb();
      db.data.updatedAt = new Date().toISOString();
      return db.write();
    });
    this.writes = write.catch(() => {});
    await write;
  }

  async update(change: (data: ClusterState) => void): Promise<void> {
    change(this.data);
    await this.save();
  }

  /** The cluster's own kubeconfig file; undefined until kubeconfigExported has written it. */
  async readKubeconfig(): Promise<string | undefined> {
    try {
      return await readFile(this.paths.kubeconfig, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
  }
}
