#!/usr/bin/env node
// Compiles every .sol under contracts/sol (plus OpenZeppelin's ERC1967Proxy) with npm `solc` (solcjs, standard
// JSON, no native compiler download) into Foundry-style artifacts that alloy's `sol!` reads:
//   contracts/artifacts/<Name>.json = {"abi": [...], "bytecode": {"object": "0x…"}, "deployedBytecode": {"object": "0x…"}}
// plus contracts/artifacts/build-info.json (compiler, settings, package versions).
//
//   node build.mjs           write the artifacts
//   node build.mjs --check   rebuild in memory; exit 1 if any committed artifact differs, is missing or is stale
//
// Output is deterministic: keys sorted, two-space indent, trailing newline.

import { readFileSync, writeFileSync, readdirSync, mkdirSync, existsSync, statSync, unlinkSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const ROOT = dirname(fileURLToPath(import.meta.url));
const SOL_DIR = join(ROOT, "sol");
const OUT_DIR = join(ROOT, "artifacts");
const NODE_MODULES = join(ROOT, "node_modules");
const require = createRequire(import.meta.url);

/** Extra sources compiled from node_modules, and the contracts from them that get artifacts. */
const EXTERNAL = [{ source: "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol", contract: "ERC1967Proxy" }];

const SETTINGS = {
  evmVersion: "cancun",
  viaIR: true,
  optimizer: { enabled: true, runs: 10000 },
  metadata: { bytecodeHash: "ipfs" },
  outputSelection: { "*": { "*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"] } },
};

function fail(message) {
  console.error(`build.mjs: ${message}`);
  process.exit(1);
}

function loadSolc() {
  try {
    return require("solc");
  } catch {
    fail("npm package `solc` is missing: run `npm ci` (or `npm install`) in contracts/ first");
  }
}

function packageVersion(name) {
  try {
    return JSON.parse(readFileSync(join(NODE_MODULES, name, "package.json"), "utf8")).version;
  } catch {
    return null;
  }
}

/** All .sol files under dir, as POSIX paths relative to ROOT, sorted. */
function solFiles(dir) {
  const out = [];
  for (const entry of readdirSync(dir).sort()) {
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) out.push(...solFiles(full));
    else if (entry.endsWith(".sol")) out.push(relative(ROOT, full).split(sep).join("/"));
  }
  return out;
}

/** Import callback: OpenZeppelin (and any other package) from node_modules, project files from contracts/. */
function findImport(path) {
  const candidates = path.startsWith("@") ? [join(NODE_MODULES, path)] : [join(ROOT, path), join(NODE_MODULES, path)];
  for (const file of candidates) {
    const full = resolve(file);
    if (!full.startsWith(ROOT + sep)) continue;
    if (existsSync(full)) return { contents: readFileSync(full, "utf8") };
  }
  return { error: `import not found: ${path} (is node_modules installed? run npm ci in contracts/)` };
}

/** JSON with object keys sorted recursively (arrays keep their order). */
function canonical(value) {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === "object") {
    const sorted = {};
    for (const key of Object.keys(value).sort()) sorted[key] = canonical(value[key]);
    return sorted;
  }
  return value;
}

function serialize(value) {
  return JSON.stringify(canonical(value), null, 2) + "\n";
}

function compile() {
  const solc = loadSolc();
  const ownSources = solFiles(SOL_DIR);
  if (ownSources.length === 0) fail(`no .sol files under ${SOL_DIR}`);
  const sources = {};
  for (const path of ownSources) sources[path] = { content: readFileSync(join(ROOT, path), "utf8") };
  for (const { source } of EXTERNAL) {
    const found = findImport(source);
    if (found.error) fail(found.error);
    sources[source] = { content: found.contents };
  }

  const input = { language: "Solidity", sources, settings: SETTINGS };
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImport }));
  const errors = (output.errors || []).filter((e) => e.severity === "error");
  for (const e of output.errors || []) {
    if (e.severity !== "error") console.error(e.formattedMessage || e.message);
  }
  if (errors.length > 0) {
    for (const e of errors) console.error(e.formattedMessage || e.message);
    fail(`compilation failed with ${errors.length} error(s)`);
  }

  const wanted = [];
  for (const path of ownSources) {
    for (const name of Object.keys(output.contracts[path] || {}).sort()) wanted.push([path, name]);
  }
  for (const { source, contract } of EXTERNAL) wanted.push([source, contract]);

  const files = new Map();
  for (const [path, name] of wanted) {
    const c = output.contracts[path]?.[name];
    if (!c) fail(`compiler produced no output for ${path}:${name}`);
    const bytecode = c.evm.bytecode.object;
    if (!bytecode) continue; // interfaces and abstract contracts have nothing to deploy
    const file = `${name}.json`;
    if (files.has(file)) fail(`two contracts are named ${name}: artifact names must be unique`);
    files.set(
      file,
      serialize({
        abi: c.abi,
        bytecode: { object: `0x${bytecode}` },
        deployedBytecode: { object: `0x${c.evm.deployedBytecode.object}` },
      }),
    );
  }

  files.set(
    "build-info.json",
    serialize({
      compiler: `solc-js ${solc.version()}`,
      settings: SETTINGS,
      packages: {
        "@openzeppelin/contracts": packageVersion("@openzeppelin/contracts"),
        "@openzeppelin/contracts-upgradeable": packageVersion("@openzeppelin/contracts-upgradeable"),
      },
      sources: [...ownSources, ...EXTERNAL.map((e) => e.source)],
    }),
  );
  return files;
}

function main() {
  const args = process.argv.slice(2);
  const check = args.includes("--check");
  const unknown = args.filter((a) => a !== "--check");
  if (unknown.length > 0) fail(`unknown argument(s): ${unknown.join(" ")} (usage: node build.mjs [--check])`);

  const files = compile();
  const existing = existsSync(OUT_DIR) ? readdirSync(OUT_DIR).filter((f) => f.endsWith(".json")) : [];

  if (check) {
    const problems = [];
    for (const [file, content] of files) {
      const path = join(OUT_DIR, file);
      if (!existsSync(path)) problems.push(`missing: artifacts/${file}`);
      else if (readFileSync(path, "utf8") !== content) problems.push(`differs: artifacts/${file}`);
    }
    for (const file of existing) {
      if (!files.has(file)) problems.push(`stale (no source produces it): artifacts/${file}`);
    }
    if (problems.length > 0) {
      console.error("build.mjs --check: committed artifacts do not match the sources:");
      for (const p of problems) console.error(`  ${p}`);
      console.error("run `node build.mjs` in contracts/ and commit contracts/artifacts/");
      process.exit(1);
    }
    console.log(`build.mjs --check: ${files.size} artifacts match the sources`);
    return;
  }

  mkdirSync(OUT_DIR, { recursive: true });
  for (const [file, content] of files) {
    const path = join(OUT_DIR, file);
    if (!existsSync(path) || readFileSync(path, "utf8") !== content) {
      writeFileSync(path, content);
      console.log(`wrote artifacts/${file}`);
    }
  }
  for (const file of existing) {
    if (!files.has(file)) {
      unlinkSync(join(OUT_DIR, file));
      console.log(`removed stale artifacts/${file}`);
    }
  }
  console.log(`build.mjs: ${files.size} artifacts up to date`);
}

main();
