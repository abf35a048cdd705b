// A small parser with swift-argument-parser's grammar as Apple `container` uses it: `--opt value`,
// `--opt=value`, short flag clusters (`-it`, `-dit`), a short value option taking the next word
// (`-c 4`), `--` ends options, and a trailing "passthrough" argument that captures every word after
// the last positional before it (so options must precede `<image>` in `run`).
import { UsageError } from "./errors.mjs";

/** A flag (no value). `set` is the value stored when present (for --enable-x/--disable-x pairs). */
export function flag(short, long, key, extra = {}) {
  return { short, long: [long].flat(), key, flag: true, set: true, ...extra };
}

/** An option taking one value; `multi` collects repeats into an array, otherwise the last wins. */
export function option(short, long, key, extra = {}) {
  return { short, long: [long].flat(), key, flag: false, ...extra };
}

export const debugFlag = flag(null, "--debug", "debug");

function valueName(spec) {
  return spec.valueName ?? spec.key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

function displayName(spec, used) {
  return `${used} <${valueName(spec)}>`;
}

function looksLikeOption(word) {
  return word.length > 1 && word.startsWith("-") && !/^-\d/.test(word);
}

function convert(spec, raw, used) {
  const bad = () => new UsageError(`The value '${raw}' is invalid for '${displayName(spec, used)}'`);
  if (spec.type === "int" || spec.type === "uint") {
    if (!/^[-+]?\d+$/.test(raw)) throw bad();
    const n = Number(raw);
    if (spec.type === "uint" && n < 0) throw bad();
    return n;
  }
  if (spec.choices && !spec.choices.includes(raw)) throw bad();
  if (spec.transform) {
    try {
      return spec.transform(raw);
    } catch {
      throw bad();
    }
  }
  return raw;
}

/**
 * Parses `words` against `command` = { usage, options: [...], positionals: [{ key, name, required,
 * variadic, passthrough, default }] }. Returns { values, help }. Throws UsageError on grammar errors.
 */
export function parseArgs(command, words) {
  const options = [...command.options, debugFlag];
  const usage = `Usage: ${command.usage}\n  See '${command.helpName ?? command.usage.split(" [")[0].split(" <")[0]} --help' for more information.`;
  const fail = (msg) => new UsageError(msg, usage);
  const values = {};
  for (const spec of options) {
    if (spec.multi) values[spec.key] = [];
    else if (spec.default !== undefined) values[spec.key] = spec.default;
  }
  const positionals = command.positionals ?? [];
  for (const p of positionals) values[p.key] = p.variadic || p.passthrough ? [] : p.default;
  let slot = 0;
  let optionsDone = false;
  let help = false;

  const store = (spec, raw, used) => {
    const v = spec.flag ? spec.set : convert(spec, raw, used);
    if (spec.multi) values[spec.key].push(...(spec.flatten ? spec.flatten(v) : [v]));
    else values[spec.key] = v;
  };
  // Passthrough starts right after the positional that precedes it has been given.
  const passthroughActive = () => positionals[slot]?.passthrough && slot > 0;

  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    if (passthroughActive()) {
      values[positionals[slot].key].push(...words.slice(i));
      break;
    }
    if (!optionsDone && word === "--") {
      optionsDone = true;
      continue;
    }
    if (!optionsDone && (word === "-h" || word === "--help")) {
      help = true;
      continue;
    }
    if (!optionsDone && word.startsWith("--") && word.length > 2) {
      const eq = word.indexOf("=");
      const name = eq === -1 ? word : word.slice(0, eq);
      const spec = options.find((o) => o.long.includes(name));
      if (!spec) throw fail(`Unknown option '${name}'`);
      if (spec.flag) {
        if (eq !== -1) throw fail(`Unknown option '${word}'`);
        store(spec, null, name);
        continue;
      }
      let raw;
      if (eq !== -1) raw = word.slice(eq + 1);
      else {
        const next = words[i + 1];
        if (next === undefined || looksLikeOption(next)) throw fail(`Missing value for '${displayName(spec, name)}'`);
        raw = next;
        i++;
      }
      store(spec, raw, name);
      continue;
    }
    if (!optionsDone && looksLikeOption(word)) {
      const letters = [...word.slice(1)];
      for (let j = 0; j < letters.length; j++) {
        const name = `-${letters[j]}`;
        const spec = options.find((o) => o.short === letters[j]);
        if (!spec) throw fail(`Unknown option '${name}'`);
        if (spec.flag) {
          store(spec, null, name);
          continue;
        }
        const next = words[i + 1];
        if (next === undefined || looksLikeOption(next)) throw fail(`Missing value for '${displayName(spec, name)}'`);
        store(spec, next, name);
        i++;
      }
      continue;
    }
    // A positional word.
    const p = positionals[slot];
    if (!p) throw fail(`Unexpected argument '${word}'`);
    if (p.variadic || p.passthrough) {
      values[p.key].push(word);
      if (p.passthrough) {
        values[p.key].push(...words.slice(i + 1));
        break;
      }
      continue;
    }
    values[p.key] = word;
    slot++;
  }
  if (help) return { values, help: true };
  for (const p of positionals) {
    const v = values[p.key];
    const missing = p.variadic || p.passthrough ? v.length === 0 : v === undefined;
    if (p.required && missing) throw fail(`Missing expected argument '${p.name}'`);
  }
  return { values, help: false, usage };
}

/** A short help text: the usage line and the option names. */
export function helpText(command) {
  const lines = [`USAGE: ${command.usage}`, "", "OPTIONS:"];
  for (const o of [...command.options, debugFlag]) {
    const names = [o.short ? `-${o.short}` : null, ...o.long].filter(Boolean).join(", ");
    lines.push(`  ${names}${o.flag ? "" : ` <${valueName(o)}>`}`);
  }
  lines.push("  -h, --help");
  return lines.join("\n");
}
