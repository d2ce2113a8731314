import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, posix, relative, resolve } from 'node:path';

/**
 * Replays a Dockerfile's recipe without a Docker engine: each stage gets a root directory, COPY copies
 * the same paths (from the build context, less .dockerignore, or from an earlier stage), RUN runs the
 * same npm commands, ENV/WORKDIR/USER/CMD are kept for whoever starts the result. A RUN this replay
 * does not know fails loudly, so the Dockerfile cannot drift away from what is tested.
 */

export interface Instruction {
  readonly op: string;
  readonly args: string;
}

export interface Stage {
  readonly name: string;
  readonly from: string;
  readonly instructions: Instruction[];
}

/** Parses the instructions (continuations joined, comments dropped) into stages, ARG defaults applied to FROM. */
export function parseDockerfile(text: string): Stage[] {
  const lines = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, op = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const upper = op.toUpperCase();
    if (upper === 'FROM') {
      const expanded = args.replace(/\$\{(\w+)\}/g, (_, k: string) => globalArgs[k] ?? '');
      const [from = '', , name] = expanded.split(/\s+/);
      stages.push({ name: name ?? String(stages.length), from, instructions: [] });
    } else if (stages.length === 0) {
      if (upper !== 'ARG') throw new Error(`${op} before the first FROM`);
      const [k = '', v = ''] = args.split('=');
      globalArgs[k] = v;
    } else {
      stages[stages.length - 1].instructions.push({ op: upper, args });
    }
  }
  return stages;
}

/** `.dockerignore` as a predicate on context-relative paths (the subset of the syntax this repo uses). */
export function dockerIgnore(text: string): (path: string) => boolean {
  const patterns = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const matchers = patterns.map((p) => {
    const anyDepth = p.startsWith('**/');
    const body = (anyDepth ? p.slice(3) : p).replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*');
    return new RegExp(`^${anyDepth ? '(?:.*/)?' : ''}${body}(?:/.*)?$`);
  });
  return (path) => matchers.some((m) => m.test(path));
}

export interface ReplayedImage {
  /** The runtime stage's root directory; absolute image paths map under it. */
  readonly rootfs: string;
  readonly workdir: string;
  readonly env: Record<string, string>;
  readonly user?: string;
  readonly cmd: string[];
  readonly labels: Record<string, string>;
}

export interface ReplayOptions {
  readonly dockerfile: string;
  readonly context: string;
  readonly scratch: string;
  /** Where production `npm ci` results are kept between runs, keyed by the lockfile. */
  readonly cacheDir?: string;
  /** The workspace's node_modules: the same lockfile's full `npm ci`, used for the build stage. */
  readonly workspaceNodeModules: string;
  readonly log?: (line: string) => void;
}

/** Hard links where the file system allows (the same bytes without copying a node_modules tree), else a copy. */
function copyTree(source: string, target: string): void {
  try {
    execFileSync('cp', ['-a', '--link', source, target], { stdio: 'pipe' });
  } catch {
    rmSync(target, { recursive: true, force: true });
    execFileSync('cp', ['-a', source, target]);
  }
}

function words(args: string): string[] {
  if (args.startsWith('[')) return JSON.parse(args) as string[];
  return args.split(/\s+/).filter(Boolean);
}

function keyValues(args: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of args.matchAll(/([\w.-]+)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
    out[m[1]] = m[2].startsWith('"') ? (JSON.parse(m[2]) as string) : m[2];
  }
  return out;
}

/** `npm ci --omit=dev` once per lockfile (and Node version): the same command, its result kept. */
function productionDependencies(appDir: string, cacheDir: string, log: (l: string) => void): string {
  // What `npm ci` depends on: the lockfile, the manifest's dependency fields and install-time scripts.
  const manifest = JSON.parse(readFileSync(join(appDir, 'package.json'), 'utf8')) as Record<string, unknown>;
  const scripts = (manifest['scripts'] ?? {}) as Record<string, string>;
  const installInputs = {
    ...Object.fromEntries(
      ['dependencies', 'devDependencies', 'optionalDependencies', 'overrides', 'engines', 'allowScripts'].map(
        (k) => [k, manifest[k]],
      ),
    ),
    scripts: ['preinstall', 'install', 'postinstall', 'prepare'].map((k) => scripts[k]),
  };
  const hash = createHash('sha256')
    .update(readFileSync(join(appDir, 'package-lock.json')))
    .update(JSON.stringify(installInputs))
    .update(`${process.version} ${process.platform} ${process.arch}`)
    .digest('hex')
    .slice(0, 16);
  const done = join(cacheDir, hash);
  if (existsSync(join(done, 'node_modules'))) {
    log(`npm ci --omit=dev: cached (${hash})`);
    return join(done, 'node_modules');
  }
  const staging = `${done}.staging-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  cpSync(join(appDir, 'package.json'), join(staging, 'package.json'));
  cpSync(join(appDir, 'package-lock.json'), join(staging, 'package-lock.json'));
  log(`npm ci --omit=dev: installing into the cache (${hash})`);
  execFileSync('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund'], { cwd: staging, stdio: 'pipe' });
  rmSync(done, { recursive: true, force: true });
  renameSync(staging, done);
  // Installs of older lockfiles are of no further use (staging directories of other runs are left alone).
  for (const entry of readdirSync(cacheDir)) {
    if (entry !== hash && !entry.includes('.staging-'))
      rmSync(join(cacheDir, entry), { recursive: true, force: true });
  }
  return join(done, 'node_modules');
}

export function replayDockerfile(options: ReplayOptions): ReplayedImage {
  const log = options.log ?? (() => undefined);
  const stages = parseDockerfile(readFileSync(options.dockerfile, 'utf8'));
  const ignoreFile = join(options.context, '.dockerignore');
  const ignored = existsSync(ignoreFile) ? dockerIgnore(readFileSync(ignoreFile, 'utf8')) : () => false;
  const cacheDir = options.cacheDir ?? join(homedir(), '.cache', 'easgate', 'image-prod-deps');
  const roots = new Map<string, string>();
  let last: ReplayedImage | undefined;
  for (const stage of stages) {
    const rootfs = join(options.scratch, stage.name);
    mkdirSync(rootfs, { recursive: true });
    roots.set(stage.name, rootfs);
    let workdir = '/';
    const env: Record<string, string> = {};
    const labels: Record<string, string> = {};
    let user: string | undefined;
    let cmd: string[] = [];
    const inRoot = (imagePath: string) => join(rootfs, posix.resolve(workdir, imagePath));
    for (const { op, args } of stage.instructions) {
      switch (op) {
        case 'WORKDIR':
          workdir = posix.resolve(workdir, args);
          mkdirSync(inRoot('.'), { recursive: true });
          break;
        case 'ENV':
          Object.assign(env, keyValues(args));
          break;
        case 'LABEL':
          Object.assign(labels, keyValues(args));
          break;
        case 'USER':
          user = args;
          break;
        case 'CMD':
          cmd = words(args);
          break;
        case 'ARG':
        case 'VOLUME':
        case 'EXPOSE':
          break;
        case 'COPY': {
          const parts = words(args);
          const from = parts.find((p) => p.startsWith('--from='))?.slice('--from='.length);
          const paths = parts.filter((p) => !p.startsWith('--'));
          const dest = paths.pop()!;
          for (const src of paths) {
            const target = dest.endsWith('/') ? join(inRoot(dest), posix.basename(src)) : inRoot(dest);
            if (from !== undefined) {
              const fromRoot = roots.get(from);
              if (fromRoot === undefined) throw new Error(`COPY --from=${from}: no such stage`);
              const source = join(fromRoot, src);
              if (!existsSync(source)) throw new Error(`COPY --from=${from} ${src}: missing in that stage`);
              mkdirSync(dirname(target), { recursive: true });
              copyTree(source, target);
            } else {
              const source = resolve(options.context, src);
              if (!existsSync(source)) throw new Error(`COPY ${src}: missing in the build context`);
              cpSync(source, target, {
                recursive: true,
                filter: (s) => !ignored(relative(options.context, s)),
              });
            }
          }
          break;
        }
        case 'RUN':
          runStep(args, {
            cwd: inRoot('.'),
            inRoot,
            cacheDir,
            workspaceNodeModules: options.workspaceNodeModules,
            log,
          });
          break;
        default:
          throw new Error(`the replay does not know ${op}`);
      }
    }
    last = { rootfs, workdir, env, ...(user !== undefined && { user }), cmd, labels };
  }
  if (last === undefined) throw new Error('no stage in the Dockerfile');
  return last;
}

interface RunContext {
  cwd: string;
  inRoot: (imagePath: string) => string;
  cacheDir: string;
  workspaceNodeModules: string;
  log: (line: string) => void;
}

function runStep(command: string, ctx: RunContext): void {
  const trimmed = command.trim();
  if (trimmed.startsWith('apt-get ')) {
    // System build tools (python3, make, g++): this machine has them; nothing lands in the runtime stage.
    ctx.log(`RUN ${trimmed.slice(0, 40)}…: system packages, provided by the host`);
    return;
  }
  if (/^npm ci --omit=dev --no-audit --no-fund$/.test(trimmed)) {
    const modules = productionDependencies(ctx.cwd, ctx.cacheDir, ctx.log);
    copyTree(modules, join(ctx.cwd, 'node_modules'));
    return;
  }
  if (/^npm ci --no-audit --no-fund$/.test(trimmed)) {
    // The full install of the same lockfile is the workspace's own node_modules.
    symlinkSync(ctx.workspaceNodeModules, join(ctx.cwd, 'node_modules'));
    return;
  }
  if (trimmed === 'npm run build') {
    ctx.log('RUN npm run build');
    execFileSync('npm', ['run', 'build'], {
      cwd: ctx.cwd,
      stdio: 'pipe',
      env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_SKIP_NX_CACHE: 'true' },
    });
    return;
  }
  const mkdirChown = /^mkdir -p (\S+) && chown (\d+):(\d+) \1$/.exec(trimmed);
  if (mkdirChown) {
    const dir = ctx.inRoot(mkdirChown[1]);
    mkdirSync(dir, { recursive: true });
    if (process.getuid?.() === 0) execFileSync('chown', [`${mkdirChown[2]}:${mkdirChown[3]}`, dir]);
    return;
  }
  throw new Error(`the replay does not know RUN ${trimmed}`);
}
