// Entry of the fake Apple `container` CLI (release 1.2.2; KINA_FAKE_CONTAINER_VERSION=1.4.1 imitates 1.4.1): state dir, fault injection, dispatch,
// error printing and exit codes.
import { appendFileSync, existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { canonicalArgv, resolveCommand } from "./commands.mjs";
import { renderError } from "./errors.mjs";
import { crashCaller, takeFault } from "./faults.mjs";
import { stateDirFromEnv } from "./store.mjs";
import { SERVICE_STOPPED } from "./cmd-system.mjs";
import { configureJson } from "./json.mjs";
import { nestedSystemStatus } from "./platform.mjs";

function write(stream, chunks) {
  return new Promise((resolveWrite) => {
    const data = Buffer.concat(chunks.map((c) => (typeof c === "string" ? Buffer.from(c) : c)));
    if (data.length === 0) return resolveWrite();
    stream.write(data, () => resolveWrite());
  });
}

// Every invocation is appended to <state>/container-calls.jsonl when it ends: { argv, exitCode, start, end }
// with start/end in epoch milliseconds (start is this process's own start, so node's start-up is
// inside the interval, as the real CLI's launch and XPC round trip are). Tests sum them; the bench
// reads the intervals. KINA_FAKE_CONTAINER_LATENCY_MS=N sleeps N ms in every call before it
// answers, to stand in for the XPC round trip of the real CLI (the bench only; no test relies on it).
let callLog;

function logCall(exitCode) {
  if (!callLog) return;
  const end = performance.timeOrigin + performance.now();
  appendFileSync(callLog.file, JSON.stringify({ argv: callLog.argv, exitCode, start: performance.timeOrigin, end }) + "\n");
}

function latencyMs(env) {
  const raw = env.KINA_FAKE_CONTAINER_LATENCY_MS;
  if (raw === undefined || raw === "") return 0;
  const ms = Number(raw);
  if (!Number.isFinite(ms) || ms < 0) throw new Error(`KINA_FAKE_CONTAINER_LATENCY_MS must be a number of milliseconds, got ${JSON.stringify(raw)}`);
  return ms;
}

// crashAfter: "printed" kills the caller after the answer is written, "unprinted" (a numbered
// crash from the matrix) right after the work, so the caller never sees the answer.
async function finish(stdout, stderr, exitCode, crashAfter) {
  if (crashAfter === "unprinted") {
    crashCaller();
    process.exit(exitCode);
  }
  await write(process.stdout, stdout);
  await write(process.stderr, stderr);
  logCall(exitCode);
  if (crashAfter) crashCaller();
  process.exit(exitCode);
}

export async function main(argv, env = process.env) {
  configureJson({ escapeSlashes: !nestedSystemStatus(env) });
  const stdout = [];
  const stderr = [];
  const dir = stateDirFromEnv(env);
  const needsState = !(argv.length === 1 && ["--version", "-h", "--help", "help"].includes(argv[0]));
  if (!dir && needsState) {
    return finish([], ["fake container: KINA_FAKE_CONTAINER_STATE must be set to the double's state directory\n"], 1, null);
  }
  let crashAfter = null;
  if (dir) {
    mkdirSync(dir, { recursive: true });
    callLog = { file: join(dir, "container-calls.jsonl"), argv };
    const latency = latencyMs(env);
    if (latency > 0) await new Promise((r) => setTimeout(r, latency));
    const rule = takeFault(dir, argv, canonicalArgv(argv, env));
    if (rule?.crashCaller && rule.after) crashAfter = rule.numbered ? "unprinted" : "printed";
    else if (rule?.hang) {
      // A call that never answers (a wedged VM) until the caller kills it; bounded so that a test
      // that dies first leaves no process behind.
      await new Promise(() => setTimeout(() => process.exit(124), 120_000));
    } else if (rule) {
      if (rule.crashCaller) crashCaller();
      if (rule.numbered) process.exit(137);
      if (rule.stdout) stdout.push(rule.stdout);
      if (rule.stderr) stderr.push(rule.stderr.endsWith("\n") ? rule.stderr : `${rule.stderr}\n`);
      return finish(stdout, stderr, rule.exitCode ?? 1, null);
    }
  }
  const ctx = {
    dir,
    env,
    argv,
    serviceUp: dir ? !existsSync(join(dir, SERVICE_STOPPED)) : true,
    out: (chunk) => stdout.push(chunk),
    err: (chunk) => stderr.push(chunk),
  };
  let exitCode;
  try {
    const resolved = resolveCommand(argv, ctx);
    if (resolved.kind === "text") {
      stdout.push(resolved.text);
      exitCode = 0;
    } else {
      exitCode = await resolved.command.handler(ctx, resolved.values);
    }
  } catch (error) {
    const rendered = renderError(error);
    stderr.push(rendered.stderr);
    exitCode = rendered.exitCode;
  }
  return finish(stdout, stderr, exitCode, crashAfter);
}
