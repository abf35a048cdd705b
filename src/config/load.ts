// Reading the config file (`--config FILE`, `-` for stdin) into a validated ClusterConfigFile.

import { readFile } from "node:fs/promises";
import { parse } from "yaml";
import { UsageError } from "./resolve.js";
import { ClusterConfigFile, formatIssues } from "./schema.js";

async function readStdin(stdin: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}

export function parseConfigText(text: string, source: string): ClusterConfigFile {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (error) {
    throw new UsageError(`invalid config ${source}: not valid YAML: ${(error as Error).message.split("\n")[0]}`);
  }
  const result = ClusterConfigFile.safeParse(doc ?? {});
  if (!result.success) {
    const lines = formatIssues(result.error);
    throw new UsageError(`invalid config ${source}:\n  ${lines.join("\n  ")}`);
  }
  return result.data;
}

export async function loadConfigFile(path: string, stdin: NodeJS.ReadableStream = process.stdin): Promise<ClusterConfigFile> {
  let text: string;
  try {
    text = path === "-" ? await readStdin(stdin) : await readFile(path, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read config ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return parseConfigText(text, path === "-" ? "(stdin)" : path);
}
