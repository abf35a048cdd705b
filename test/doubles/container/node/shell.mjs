// A deliberately small POSIX sh for `sh -c SCRIPT`: simple commands joined by newlines, `;`, `&&`
// and `||`, quoting, comments, `set -e/-u/-x`, and `>`/`>>` into the node's rootfs. Everything
// else is refused with exit 2 so kina's scripts stay within what this double can vouch for. The
// whole script is parsed before anything runs, so a refused script has no side effects.
import fs from "node:fs";
import path from "node:path";
import { fail } from "./result.mjs";
import { hostPath, nodePath, statNode } from "./rootfs.mjs";

export class Unsupported extends Error {}
class SyntaxErr extends Error {
  constructor(line, message) {
    super(message);
    this.line = line;
  }
}

const RESERVED = ["if", "then", "else", "elif", "fi", "do", "done", "case", "esac", "while", "until", "for", "in", "function", "select", "!", "{", "}", "[[", "]]"];
const UNSUPPORTED_BUILTINS = {
  cd: "cd (the script runs in /)",
  export: "export (no variables)",
  unset: "unset (no variables)",
  read: "read",
  eval: "eval",
  exec: "exec",
  source: "source",
  ".": ". (source)",
  trap: "trap",
  shift: "shift",
  local: "local",
  alias: "alias",
  wait: "wait",
  printf: "printf (use echo)",
};

// ---- lexer ----

function lex(script) {
  const tokens = [];
  let line = 1;
  let word = null; // { value, line, quotedAt, quoted, unquotedBracket }
  const start = () => (word ??= { value: "", line, quotedAt: -1, quoted: false, globs: [] });
  const finish = () => {
    if (!word) return;
    const w = word;
    word = null;
    if (w.globs.length && !(w.value === "[" && !w.quoted)) {
      throw new Unsupported(`pathname expansion ('${w.globs[0]}') in word '${w.value}'`);
    }
    tokens.push({ type: "word", ...w });
  };
  const op = (value) => {
    finish();
    tokens.push({ type: "op", value, line });
  };

  for (let i = 0; i < script.length; i++) {
    const ch = script[i];
    const next = script[i + 1];
    if (ch === "\n") {
      op("\n");
      line++;
    } else if (ch === " " || ch === "\t" || ch === "\r") {
      finish();
    } else if (ch === "#" && !word) {
      while (i + 1 < script.length && script[i + 1] !== "\n") i++;
    } else if (ch === "\\") {
      if (next === "\n") {
        i++;
        line++;
      } else if (next === undefined) {
        start().value += "\\";
      } else {
        start();
        if (word.quotedAt === -1) word.quotedAt = word.value.length;
        word.quoted = true;
        word.value += next;
        i++;
      }
    } else if (ch === "'") {
      start();
      if (word.quotedAt === -1) word.quotedAt = word.value.length;
      word.quoted = true;
      const end = script.indexOf("'", i + 1);
      if (end === -1) throw new SyntaxErr(word.line, "Unterminated quoted string");
      const text = script.slice(i + 1, end);
      line += (text.match(/\n/g) ?? []).length;
      word.value += text;
      i = end;
    } else if (ch === '"') {
      start();
      if (word.quotedAt === -1) word.quotedAt = word.value.length;
      word.quoted = true;
      let j = i + 1;
      for (;;) {
        if (j >= script.length) throw new SyntaxErr(word.line, "Unterminated quoted string");
        const c = script[j];
        if (c === '"') break;
        if (c === "$") throw new Unsupported(`expansion ('$') inside double quotes near '${script.slice(j, j + 12)}'`);
        if (c === "`") throw new Unsupported("command substitution (`…`)");
        if (c === "\\" && ["$", "`", '"', "\\", "\n"].includes(script[j + 1])) {
          if (script[j + 1] !== "\n") word.value += script[j + 1];
          else line++;
          j += 2;
          continue;
        }
        if (c === "\n") line++;
        word.value += c;
        j++;
      }
      i = j;
    } else if (ch === "$") {
      const what = next === "(" ? (script[i + 2] === "(" ? "arithmetic expansion ($((…)))" : "command substitution ($(…))") : "parameter expansion ($…)";
      throw new Unsupported(`${what} near '${script.slice(i, i + 16)}'`);
    } else if (ch === "`") {
      throw new Unsupported("command substitution (`…`)");
    } else if (ch === ";") {
      if (next === ";") throw new Unsupported("';;' (case)");
      op(";");
    } else if (ch === "&") {
      if (next === "&") {
        op("&&");
        i++;
      } else throw new Unsupported(next === ">" ? "redirection '&>'" : "background jobs ('&')");
    } else if (ch === "|") {
      if (next === "|") {
        op("||");
        i++;
      } else throw new Unsupported("pipes ('|')");
    } else if (ch === ">") {
      if (word && /^\d+$/.test(word.value) && !word.quoted) throw new Unsupported(`redirection '${word.value}>${next === ">" ? ">" : next === "&" ? "&" : ""}'`);
      if (next === "&" || next === "|") throw new Unsupported(`redirection '>${next}'`);
      if (next === ">") {
        op(">>");
        i++;
      } else op(">");
    } else if (ch === "<") {
      throw new Unsupported(next === "<" ? "here-documents ('<<')" : "input redirection ('<')");
    } else if (ch === "(" || ch === ")") {
      throw new Unsupported(`subshells and grouping ('${ch}')`);
    } else {
      start();
      if (ch === "~" && word.value === "") throw new Unsupported("tilde expansion ('~')");
      if (ch === "*" || ch === "?" || ch === "[") word.globs.push(ch);
      word.value += ch;
    }
  }
  finish();
  return tokens;
}

// ---- parser ----

function parse(script) {
  const tokens = lex(script);
  const lists = [];
  let i = 0;
  const peek = () => tokens[i];
  // dash quotes operators in its messages but not "newline" or "end of file".
  const describe = (t) => (t ? (t.value === "\n" ? "newline" : `"${t.value}"`) : "end of file");
  const skipNewlines = () => {
    while (peek()?.type === "op" && peek().value === "\n") i++;
  };

  const parseCommand = () => {
    const words = [];
    const redirects = [];
    const line = peek()?.line ?? 1;
    for (;;) {
      const t = peek();
      if (!t) break;
      if (t.type === "word") {
        if (words.length === 0) checkCommandPosition(t);
        words.push(t.value);
        i++;
      } else if (t.value === ">" || t.value === ">>") {
        i++;
        const target = peek();
        if (!target || target.type !== "word") throw new SyntaxErr(t.line, `${describe(target)} unexpected`);
        redirects.push({ append: t.value === ">>", target: target.value });
        i++;
      } else break;
    }
    if (!words.length && !redirects.length) {
      const t = peek();
      throw new SyntaxErr(t?.line ?? line, `${describe(t)} unexpected`);
    }
    if (words[0] === "set") {
      for (const a of words.slice(1)) {
        if (!/^[-+][eux]+$/.test(a)) throw new Unsupported(`set ${words.slice(1).join(" ")} (only -e, -u, -x)`);
      }
    }
    return { words, redirects, line };
  };

  skipNewlines();
  while (i < tokens.length) {
    const items = [{ op: null, command: parseCommand() }];
    while (peek()?.type === "op" && (peek().value === "&&" || peek().value === "||")) {
      const opTok = tokens[i++];
      skipNewlines();
      if (!peek()) throw new SyntaxErr(opTok.line, "end of file unexpected");
      items.push({ op: opTok.value, command: parseCommand() });
    }
    lists.push(items);
    const t = peek();
    if (!t) break;
    if (t.type !== "op" || (t.value !== ";" && t.value !== "\n")) throw new SyntaxErr(t.line, `${describe(t)} unexpected`);
    i++;
    skipNewlines();
    if (peek()?.type === "op" && peek().value === ";") throw new SyntaxErr(peek().line, '";" unexpected');
  }
  return lists;
}

function checkCommandPosition(t) {
  if (!t.quoted && RESERVED.includes(t.value)) throw new Unsupported(`'${t.value}' (compound commands and reserved words)`);
  if (UNSUPPORTED_BUILTINS[t.value]) throw new Unsupported(`builtin ${UNSUPPORTED_BUILTINS[t.value]}`);
  const prefix = t.quotedAt === -1 ? t.value : t.value.slice(0, t.quotedAt);
  if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(prefix)) throw new Unsupported(`variable assignment ('${t.value}')`);
}

// ---- interpreter ----

class ExitScript extends Error {
  constructor(code) {
    super(`exit ${code}`);
    this.code = code;
  }
}

function quoteForTrace(word) {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}

/**
 * Runs `sh -c` style arguments. `runProgram(argv, streams)` runs one simple command (a program of
 * the fake node) and `logInner(argv, exitCode, redirects)` records it in exec.log.
 */
export async function runShell(ctx, args, { runProgram, logInner }) {
  const opts = { e: false, u: false, x: false };
  let script;
  let sawC = false;
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i];
    if (/^[-+][a-z]+$/.test(a) && !sawC) {
      for (const f of a.slice(1)) {
        if (f === "c") sawC = true;
        else if (f === "e" || f === "u" || f === "x") opts[f] = a[0] === "-";
        else return unsupported(`sh option '-${f}'`);
      }
    } else if (a === "-o" || a === "+o") {
      return unsupported(`sh option '${a} ${args[i + 1] ?? ""}'`);
    } else break;
  }
  if (!sawC) return unsupported("sh without -c (reading a script from stdin or a file)");
  script = args[i];
  if (script === undefined) return fail(2, `${ctx.argv0}: 0: -c requires an argument`);

  let program;
  try {
    program = parse(script);
  } catch (err) {
    if (err instanceof Unsupported) return unsupported(err.message);
    if (err instanceof SyntaxErr) return fail(2, `${ctx.argv0}: ${err.line}: Syntax error: ${err.message}`);
    throw err;
  }

  let stdout = "";
  let stderr = "";
  let status = 0;
  const shellName = ctx.argv0;
  try {
    for (const list of program) {
      let lastRan = -1;
      for (let k = 0; k < list.length; k++) {
        const { op, command } = list[k];
        if (op === "&&" && status !== 0) continue;
        if (op === "||" && status === 0) continue;
        const r = await runSimple(ctx, command, opts, shellName, { runProgram, logInner }, status);
        stdout += r.stdout;
        stderr += r.stderr;
        status = r.exitCode;
        lastRan = k;
      }
      // POSIX errexit: only a failure of the last command of an AND-OR list ends the script.
      if (opts.e && status !== 0 && lastRan === list.length - 1) break;
    }
  } catch (err) {
    if (err instanceof ExitScript) {
      status = err.code;
      stdout += err.stdout ?? "";
      stderr += err.stderr ?? "";
    } else throw err;
  }
  return { exitCode: status, stdout, stderr };
}

function unsupported(what) {
  return fail(2, `fake sh: unsupported: ${what}`);
}

async function runSimple(ctx, command, opts, shellName, hooks, lastStatus) {
  const { words, redirects, line } = command;
  let trace = "";
  if (opts.x) trace = `+ ${[...words.map(quoteForTrace), ...redirects.map((r) => `${r.append ? ">>" : ">"}${r.target}`)].join(" ")}\n`;

  // Redirection targets are opened (created/truncated) before the command runs, like sh does.
  let outFile = null;
  for (const r of redirects) {
    const target = nodePath(r.target, ctx.cwd);
    const parent = statNode(ctx.rootfs, path.posix.dirname(target));
    const existing = statNode(ctx.rootfs, target);
    let problem = null;
    if (!parent || !parent.isDirectory()) problem = "Directory nonexistent";
    else if (existing && existing.isDirectory()) problem = "Is a directory";
    if (problem) {
      const res = { exitCode: 2, stdout: "", stderr: `${trace}${shellName}: ${line}: cannot create ${r.target}: ${problem}\n` };
      hooks.logInner(words, 2, redirects);
      return res;
    }
    const file = hostPath(ctx.rootfs, target);
    if (!r.append) fs.writeFileSync(file, "");
    else if (!existing) fs.writeFileSync(file, "");
    outFile = { file, append: r.append };
  }
  if (!words.length) {
    hooks.logInner(words, 0, redirects);
    return { exitCode: 0, stdout: "", stderr: trace };
  }

  const [name, ...args] = words;
  let result;
  if (name === "set") result = setBuiltin(opts, args);
  else if (name === "exit") {
    const code = args.length ? Number(args[0]) : null;
    if (args.length && (!Number.isInteger(code) || code < 0)) result = { exitCode: 2, stdout: "", stderr: `${shellName}: ${line}: exit: Illegal number: ${args[0]}\n` };
    else {
      hooks.logInner(words, code ?? lastStatus, redirects);
      const e = new ExitScript(code ?? lastStatus);
      e.stderr = trace;
      throw e;
    }
  } else {
    result = await hooks.runProgram(words, { viaShell: true });
    if (result.exitCode === 127 && result.notFound) result = { exitCode: 127, stdout: "", stderr: `${shellName}: ${line}: ${name}: not found\n` };
  }
  hooks.logInner(words, result.exitCode, redirects);
  let stdout = result.stdout;
  if (outFile) {
    // The target was already created or truncated above, so appending is right for both forms.
    fs.appendFileSync(outFile.file, stdout);
    stdout = "";
  }
  return { exitCode: result.exitCode, stdout, stderr: trace + result.stderr };
}

function setBuiltin(opts, args) {
  // Arguments were validated while parsing.
  for (const a of args) for (const f of a.slice(1)) opts[f] = a[0] === "-";
  return { exitCode: 0, stdout: "", stderr: "" };
}
