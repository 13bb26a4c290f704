#!/usr/bin/env node
// `pressroom <command>`: submit a content request and follow it, show one (`status <id>`), list them (`list`),
// print the alert webhook's signing secret (`alert-webhook-secret`).
// Runs as `pnpm pressroom ...` from any folder of the repository (the root package's `pressroom` bin, which
// pnpm finds in the root node_modules/.bin), or as `./pressroom ...`. `pressroom --help` says the rest.
// Exit status: 0 done, 1 the request or an API call failed (the reason is printed), 2 bad usage.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadEnvFile } from '@pressroom/config';
import { printAlertWebhookSecret } from './cli/alert-webhook-secret.ts';
import { ApiError, CliError, credentialsFrom, signIn } from './cli/api-client.ts';
import { checkUsage, list, status, submit, UsageError, watch, type Io, type Values } from './cli/commands.ts';
import { COMMANDS, commandUsage, isCommand, mainUsage, parseOptionsOf, type CommandName } from './cli/usage.ts';
import { sessionCache } from './cli/session-cache.ts';

const io: Io = { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text) };

function usageError(message: string, usage: string): number {
  io.err(`pressroom: ${message}\n\n${usage}`);
  return 2;
}

const ARGUMENTS: Record<CommandName, number> = { submit: 1, status: 1, list: 0, watch: 1, 'alert-webhook-secret': 0 };

function gatewayUrl(option: unknown, env: NodeJS.ProcessEnv): string {
  const url = typeof option === 'string' ? option : (env['PRESSROOM_URL'] ?? `http://127.0.0.1:${env['GATEWAY_PORT'] ?? 8080}`);
  if (!/^https?:\/\/[^/]/.test(url) || !URL.canParse(url)) throw new UsageError(`the gateway URL must be http(s)://host[:port], not "${url}"`);
  return url;
}

async function run(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h') {
    io.out(mainUsage());
    return 0;
  }
  if (command === 'help') {
    const topic = rest[0];
    if (topic !== undefined && !isCommand(topic)) return usageError(`no command "${topic}"`, mainUsage());
    io.out(topic === undefined ? mainUsage() : commandUsage(topic));
    return 0;
  }
  if (!isCommand(command)) return usageError(command.startsWith('-') ? `unknown option ${command}` : `unknown command "${command}"`, mainUsage());

  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: rest, options: parseOptionsOf(command), allowPositionals: true, strict: true });
  } catch (err) {
    return usageError((err as Error).message, commandUsage(command));
  }
  const { positionals } = parsed;
  const values = parsed.values as Values;
  if (values['help']) {
    io.out(commandUsage(command));
    return 0;
  }
  const wanted = ARGUMENTS[command];
  if (positionals.length !== wanted)
    return usageError(
      wanted === 0
        ? `${command} takes no arguments, got "${positionals.join(' ')}"`
        : `${command} takes one argument, ${COMMANDS[command].args}, got ${positionals.length}`,
      commandUsage(command),
    );
  if (command === 'alert-webhook-secret') return printAlertWebhookSecret(env, io);
  let url: string;
  try {
    checkUsage(command, values);
    url = gatewayUrl(values['url'], env);
  } catch (err) {
    if (err instanceof UsageError) return usageError(err.message, commandUsage(command));
    throw err;
  }

  try {
    const api = await signIn(url, credentialsFrom(env), (email, password) => sessionCache(env, url, email, password));
    if (command === 'submit') return await submit(api, positionals[0]!, values, io);
    if (command === 'status') return await status(api, positionals[0]!, values, io);
    if (command === 'watch') return await watch(api, positionals[0]!, values, io);
    return await list(api, values, io);
  } catch (err) {
    if (!(err instanceof CliError)) throw err;
    io.err(`pressroom: ${err.message}\n`);
    if (err instanceof ApiError) for (const e of err.fieldErrors) io.err(`  ${e.field}: ${e.message}\n`);
    return 1;
  }
}

// The repository's `.env` (what `pnpm start` generated) under the real environment, wherever this runs from.
loadEnvFile(process.env['PRESSROOM_ENV_FILE'] ?? resolve(import.meta.dirname, '..', '.env'));
process.exitCode = await run(process.argv.slice(2), process.env);
