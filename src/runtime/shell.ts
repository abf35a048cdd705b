// The one place a path enters a shell script (`sh -c 'cat > PATH'` for writing node files).
import { InvalidArgumentError } from "./errors.js";

const SAFE_PATH = /^[A-Za-z0-9_./-]+$/;

/**
 * Returns `path` ready to splice into an `sh -c` script. Only paths made of letters, digits and
 * `_ . / -` are accepted; none of those is special to a POSIX shell, so the path needs no quotes
 * (which also keeps it readable by the test double's minimal shell). Anything else throws.
 */
export function shellQuote(path: string): string {
  if (!SAFE_PATH.test(path) || path.startsWith("-")) {
    throw new InvalidArgumentError(
      `refusing to use ${JSON.stringify(path)} as a file path inside a node`,
      "node file paths may only contain letters, digits, '_', '.', '/' and '-'",
    );
  }
  return path;
}
