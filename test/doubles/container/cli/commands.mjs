// Resolves argv to a command the way the root `container` command does: built-in commands and
// groups (with their aliases), `--version`, help, and the plugin fallback for unknown words.
import { helpText, parseArgs } from "./argv.mjs";
import { CzError, UsageError } from "./errors.mjs";
import { buildCommand } from "./cmd-build.mjs";
import { containerCommands } from "./cmd-containers.mjs";
import { imageGroup } from "./cmd-images.mjs";
import { networkGroup } from "./cmd-network.mjs";
import { systemGroup } from "./cmd-system.mjs";
import { isTahoe, versionLine } from "./platform.mjs";

const ROOT_USAGE = "Usage: container <subcommand>\n  See 'container --help' for more information.";
const topCommands = { ...containerCommands, build: buildCommand };
/** Real `container` commands this double does not model; they fail loudly instead of pretending. */
const NOT_MODELLED = ["copy", "cp", "export", "stats", "prune", "builder", "volume", "v", "registry", "r", "machine", "m"];

function findIn(table, word) {
  for (const [name, command] of Object.entries(table)) {
    if (name === word || command.aliases?.includes(word)) return { name, command };
  }
  return null;
}

function groups(env) {
  // The network group is only registered on macOS 26 (`#available(macOS 26, *)`).
  return isTahoe(env) ? [imageGroup, networkGroup, systemGroup] : [imageGroup, systemGroup];
}

function rootHelp(env) {
  const names = [...Object.keys(topCommands), ...groups(env).map((g) => g.name)].sort();
  return `OVERVIEW: A container platform for macOS (kina test double)\n\nUSAGE: container [--debug] <subcommand>\n\nSUBCOMMANDS:\n${names.map((n) => `  ${n}`).join("\n")}\n`;
}

function pluginNotFound(word, serviceUp) {
  const hints = `  - /usr/local/libexec/container-plugins/${word}\n  - /usr/local/libexec/container/plugins/${word}`;
  const message = serviceUp
    ? `Plugin 'container-${word}' not found.\n\n- If system services are not running, start them with: container system start\n- If the plugin isn't installed, ensure it exists under:\n\nCheck to see that the plugin exists under:\n${hints}\n`
    : `Plugins are unavailable. Start the container system services and retry:\n\n    container system start\n\nCheck to see that the plugin exists under:\n${hints}\n`;
  return new UsageError(message, ROOT_USAGE);
}

/**
 * Returns { kind: "text", text } for --version/help, or { kind: "run", command, values }.
 * Throws UsageError for grammar errors.
 */
export function resolveCommand(argv, { env, serviceUp }) {
  let i = 0;
  while (argv[i] === "--debug") i++;
  const word = argv[i];
  if (word === undefined || word === "-h" || word === "--help" || word === "help") return { kind: "text", text: rootHelp(env) };
  if (word === "--version") return { kind: "text", text: `${versionLine(env)}\n` };
  if (word.startsWith("-")) throw new UsageError(`Unknown option '${word.split("=")[0]}'`, ROOT_USAGE);
  const rest = argv.slice(i + 1);
  const top = findIn(topCommands, word);
  if (top) return parsed(top.command, rest);
  const group = groups(env).find((g) => g.name === word || g.aliases.includes(word));
  if (group) {
    const sub = rest[0];
    const groupUsage = `Usage: ${group.usage}\n  See '${group.usage.split(" <")[0]} --help' for more information.`;
    if (sub === undefined || sub === "-h" || sub === "--help") {
      return { kind: "text", text: `USAGE: ${group.usage}\n\nSUBCOMMANDS:\n${Object.keys(group.subcommands).map((n) => `  ${n}`).join("\n")}\n` };
    }
    const found = findIn(group.subcommands, sub);
    if (!found) {
      if (sub.startsWith("-")) throw new UsageError(`Unknown option '${sub.split("=")[0]}'`, groupUsage);
      throw new UsageError(`Unexpected argument '${sub}'`, groupUsage);
    }
    return parsed(found.command, rest.slice(1));
  }
  if (NOT_MODELLED.includes(word)) {
    throw new CzError("unsupported", `'container ${word}' is not implemented by the kina container test double`);
  }
  throw pluginNotFound(word, serviceUp);
}

function parsed(command, words) {
  const { values, help } = parseArgs({ positionals: [], ...command }, words);
  if (help) return { kind: "text", text: `${helpText(command)}\n` };
  return { kind: "run", command, values };
}

/** argv with command aliases spelled out (`ls` → `list`, `i rm` → `image delete`), for fault matching. */
export function canonicalArgv(argv, env) {
  const out = [...argv];
  let i = 0;
  while (out[i] === "--debug") i++;
  const top = out[i] === undefined ? null : findIn(topCommands, out[i]);
  if (top) {
    out[i] = top.name;
    return out;
  }
  const group = groups(env).find((g) => g.name === out[i] || g.aliases.includes(out[i]));
  if (group) {
    out[i] = group.name;
    const sub = out[i + 1] === undefined ? null : findIn(group.subcommands, out[i + 1]);
    if (sub) out[i + 1] = sub.name;
  }
  return out;
}
