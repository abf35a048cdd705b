// Reading the config file (`--config FILE`, `-` for stdin) into a validated ClusterConfigFile.
// Every way a file can be unusable (missing, a directory, unreadable, empty, not YAML, invalid) is
// a usage error that says so in words, never a raw ENOENT/EISDIR.

import { readFile } from "node:fs/promises";
import { parse } from "yaml";
import { UsageError } from "./resolve.js";
import { API_VERSIONS, ClusterConfigFile, formatIssues, kinaOnlyFields } from "./schema.js";

async function readStdin(stdin: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}

const NEEDS = `it needs at least "apiVersion: ${API_VERSIONS[0]}" and "kind: Cluster"`;

/** `source` names where the text came from: `config file "x.yaml"` or `config from stdin`. */
export function parseConfigText(text: string, source: string, warn: (message: string) => void = () => {}): ClusterConfigFile {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (error) {
    throw new UsageError(`invalid ${source}: not valid YAML: ${(error as Error).message.split("\n")[0]}`);
  }
  if (doc === null || doc === undefined) throw new UsageError(`${source} is empty: ${NEEDS}`);
  if (typeof doc !== "object" || Array.isArray(doc)) {
    throw new UsageError(`invalid ${source}: expected a YAML mapping (apiVersion:, kind:, …), got ${Array.isArray(doc) ? "a list" : JSON.stringify(doc)}`);
  }
  const result = ClusterConfigFile.safeParse(doc, { reportInput: true });
  if (!result.success) {
    const lines = formatIssues(result.error);
    throw new UsageError(`invalid ${source}:\n  ${lines.join("\n  ")}`);
  }
  if (result.data.apiVersion === "kind.x-k8s.io/v1alpha4") {
    // Accepted (kina reads them), but real kind refuses the file: say which field and the fix.
    for (const field of kinaOnlyFields(result.data)) {
      warn(`${source}: ${field} is a kina field that kind does not have; use "apiVersion: kina.x-k8s.io/v1alpha4" for a file with kina fields`);
    }
  }
  return result.data;
}

function readProblem(path: string, error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case "ENOENT":
      return `config file "${path}" not found`;
    case "EISDIR":
      return `config file "${path}" is a directory, not a file`;
    case "EACCES":
    case "EPERM":
      return `config file "${path}" cannot be read: permission denied`;
    case "ENOTDIR":
      return `config file "${path}" not found (a part of the path is not a directory)`;
    default:
      return `config file "${path}" cannot be read: ${error.message}`;
  }
}

export async function loadConfigFile(
  path: string,
  stdin: NodeJS.ReadableStream = process.stdin,
  warn: (message: string) => void = () => {},
): Promise<ClusterConfigFile> {
  if (path === "") throw new UsageError("--config needs a file name, or - for stdin");
  let text: string;
  try {
    text = path === "-" ? await readStdin(stdin) : await readFile(path, "utf8");
  } catch (error) {
    throw new UsageError(path === "-" ? `cannot read the config from stdin: ${(error as Error).message}` : readProblem(path, error as NodeJS.ErrnoException));
  }
  return parseConfigText(text, path === "-" ? "config from stdin" : `config file "${path}"`, warn);
}
