// `npm run build`, after tsc: bundles kina's entry point (src/cli/main.ts) with esbuild into one
// file, the bin (package.json bin.kina), so the commands run many times a day (--version, status,
// get clusters: src/cli/fast.ts) load one file of kina's instead of a module graph.
//
// What the bundle holds: main.ts, the fast path and what it imports statically, and the modules
// named in INLINE (imported lazily, and light). Every other lazy `import("./…")` stays lazy and
// loads tsc's compiled module beside the bundle (dist/…), the same code the tests import: the
// yargs app (./app.js) and through it every other command, the zod state schema (only for a
// state file that is not plainly valid), the steps' driver, the kubeconfig code. npm dependencies
// are never bundled; a static import of one would load it on every start, which test/cli/cli.test.ts
// ("fast commands stay light") catches.
import { existsSync, readFileSync, rmSync } from "node:fs";
import { chmodSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { build } from "esbuild";

const root = resolve(import.meta.dirname, "..");
const bin = join(root, JSON.parse(readFileSync(join(root, "package.json"), "utf8")).bin.kina);
const binDir = dirname(bin);
// Lazily imported, but part of the bundle: the fast path's own modules.
const INLINE = new Set(["src/cli/fast.ts", "src/cli/fast-commands.ts", "src/cluster/open.ts"]);

rmSync(join(binDir, "chunks"), { recursive: true, force: true }); // an older build's split chunks

await build({
  absWorkingDir: root,
  entryPoints: ["src/cli/main.ts"],
  outfile: bin,
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node22",
  packages: "external",
  legalComments: "none",
  logLevel: "warning",
  plugins: [
    {
      name: "lazy-imports-load-the-compiled-modules",
      setup(b) {
        b.onResolve({ filter: /^\.\.?\// }, (args) => {
          if (args.kind !== "dynamic-import") return undefined;
          const source = relative(root, resolve(args.resolveDir, args.path.replace(/\.js$/, ".ts")));
          if (INLINE.has(source)) return undefined;
          const compiled = join(root, "dist", source.replace(/\.ts$/, ".js"));
          if (!existsSync(compiled)) return { errors: [{ text: `${args.path} (from ${args.importer}): no compiled ${compiled}; run tsc first` }] };
          const path = relative(binDir, compiled);
          return { path: path.startsWith(".") ? path : `./${path}`, external: true };
        });
      },
    },
  ],
});
chmodSync(bin, 0o755);
