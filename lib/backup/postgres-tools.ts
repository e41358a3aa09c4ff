import "server-only";
/**
 * PostgreSQL's own programs (pg_dump, pg_restore, and for the recovery drill initdb,
 * pg_ctl, pg_basebackup): found in POSTGRES_BIN_DIR, else in the newest
 * /usr/lib/postgresql/<major>/bin (Debian keeps the server programs off PATH), else
 * on PATH.
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";

const DEBIAN_ROOT = "/usr/lib/postgresql";

export function postgresProgram(name: string, binDir: string | null): string {
  if (binDir) return path.join(binDir, name);
  const majors = existsSync(DEBIAN_ROOT)
    ? readdirSync(DEBIAN_ROOT)
        .filter((d) => /^\d+$/.test(d))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  for (const major of majors) {
    const candidate = path.join(DEBIAN_ROOT, major, "bin", name);
    if (existsSync(candidate)) return candidate;
  }
  return name;
}

export class ProgramError extends Error {
  constructor(
    message: string,
    readonly stderr: string,
  ) {
    super(message);
    this.name = "ProgramError";
  }
}

export interface RunOptions {
  /** Default: this process's environment. */
  env?: NodeJS.ProcessEnv;
  /** Run as this OS user (through runuser): PostgreSQL's server programs refuse root. */
  asUser?: string;
  /** Fed to the program's standard input (pg_restore reading a dump). */
  stdin?: Readable;
}

export interface RunningProgram {
  stdout: Readable;
  /** Resolves when the program exits 0; rejects with its stderr otherwise. */
  done: Promise<void>;
}

/** Starts a program whose output the caller streams somewhere (pg_dump into a backup file). */
export function streamProgram(program: string, args: string[], options: RunOptions = {}): RunningProgram {
  const [command, argv] = options.asUser
    ? ["runuser", ["-u", options.asUser, "--", program, ...args]]
    : [program, args];
  const child = spawn(command, argv, { env: options.env, stdio: [options.stdin ? "pipe" : "ignore", "pipe", "pipe"] });
  const err: Buffer[] = [];
  const fedInput = options.stdin
    ? pipeline(options.stdin, child.stdin!).catch((e: unknown) => {
        child.kill();
        throw e;
      })
    : Promise.resolve();
  child.stderr!.on("data", (d: Buffer) => err.push(d));
  const done = new Promise<void>((resolve, reject) => {
    child.on("error", (e) => reject(new ProgramError(`${path.basename(program)}: ${e.message}`, "")));
    child.on("close", (code) => {
      const stderr = Buffer.concat(err).toString("utf8");
      if (code === 0) resolve();
      else
        reject(
          new ProgramError(`${path.basename(program)} exited with ${code}: ${stderr.trim().slice(-2000)}`, stderr),
        );
    });
  });
  return { stdout: child.stdout!, done: Promise.all([done, fedInput]).then(() => undefined) };
}

/** Runs a program to completion and returns its output. */
export async function runProgram(program: string, args: string[], options: RunOptions = {}): Promise<string> {
  const running = streamProgram(program, args, options);
  const out: Buffer[] = [];
  running.stdout.on("data", (d: Buffer) => out.push(d));
  await running.done;
  return Buffer.concat(out).toString("utf8");
}
