// What each command accepts, in one table: parseArgs reads the options from it and the help text is printed
// from it, so the two cannot disagree.
import type { ParseArgsOptionsConfig } from 'node:util';
import { Length, REQUEST_STATUSES, Tone } from '@pressroom/contracts';

const enumOf = (schema: unknown): readonly string[] => (schema as { enum: readonly string[] }).enum;
const TONES = enumOf(Tone);
const LENGTHS = enumOf(Length);
const CHANNELS = ['file', 'webhook', 'wordpress'] as const;
const STATUSES: readonly string[] = REQUEST_STATUSES;

interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  value?: string;
  help: string;
  choices?: readonly string[];
}

export interface CommandSpec {
  args: string;
  summary: string;
  options: Record<string, OptionSpec>;
  examples: string[];
  /** Reads this machine's configuration and calls no gateway: no --url, no credentials. */
  local?: boolean;
}

const COMMON: Record<string, OptionSpec> = {
  url: { type: 'string', value: 'URL', help: 'gateway base URL (default $PRESSROOM_URL, else http://127.0.0.1:$GATEWAY_PORT, port 8080)' },
  help: { type: 'boolean', short: 'h', help: 'print this help' },
};

export const COMMANDS: Record<'submit' | 'status' | 'list' | 'watch' | 'alert-webhook-secret', CommandSpec> = {
  submit: {
    args: '<topic>',
    summary: 'submit a content request and follow it until it is published or fails',
    options: {
      tone: { type: 'string', value: 'TONE', help: 'tone of the article', choices: TONES },
      length: { type: 'string', value: 'LENGTH', help: 'length of the article', choices: LENGTHS },
      audience: { type: 'string', value: 'TEXT', help: 'who the article is for' },
      channel: { type: 'string', value: 'TYPE', help: "where to publish (default: the gateway's DEFAULT_CHANNEL)", choices: CHANNELS },
      'webhook-url': { type: 'string', value: 'URL', help: 'the webhook to post to, with --channel webhook' },
      timeout: { type: 'string', value: 'SECONDS', help: 'how long to follow the request (default 120)' },
      'no-wait': { type: 'boolean', help: 'print the request id and return without following it' },
    },
    examples: ['pressroom submit "How do honeybees communicate?" --tone casual --length short'],
  },
  status: {
    args: '<request-id>',
    summary: 'show one request: its status, each stage (with its error) and the result',
    options: { json: { type: 'boolean', help: "print the API's JSON instead" } },
    examples: ['pressroom status 0b9f3c1e-5c1a-4c55-9d0b-2f8d1c3a7e42'],
  },
  list: {
    args: '',
    summary: 'list your requests, newest first',
    options: {
      status: { type: 'string', value: 'STATUS', help: 'only requests with this status', choices: STATUSES },
      limit: { type: 'string', value: 'N', help: 'how many (1-100, default 20)' },
      cursor: { type: 'string', value: 'CURSOR', help: 'the next page, as printed below the previous one' },
      json: { type: 'boolean', help: "print the API's JSON instead" },
    },
    examples: ['pressroom list --status failed --limit 5'],
  },
  watch: {
    args: '<request-id>',
    summary: 'follow a request live over its event stream (GET /v1/requests/{id}/events) until it ends',
    options: {
      timeout: { type: 'string', value: 'SECONDS', help: 'how long to follow it (default 600)' },
      json: { type: 'boolean', help: 'print each event as a JSON line instead' },
    },
    examples: ['pressroom watch 0b9f3c1e-5c1a-4c55-9d0b-2f8d1c3a7e42'],
  },
  'alert-webhook-secret': {
    args: '',
    summary: 'print the whsec_ secret that signs alerts to ALERT_WEBHOOK_URL (give it to that receiver), from this environment',
    options: {},
    examples: ['pressroom alert-webhook-secret > alert-receiver.secret'],
    local: true,
  },
};

export type CommandName = keyof typeof COMMANDS;

export function isCommand(name: string | undefined): name is CommandName {
  return name !== undefined && Object.hasOwn(COMMANDS, name);
}

/** The options a command accepts: its own plus --help, and --url for those that call the gateway. */
function optionsOf(command: CommandName): Record<string, OptionSpec> {
  const { options, local } = COMMANDS[command];
  return local ? { ...options, help: COMMON['help']! } : { ...options, ...COMMON };
}

export function parseOptionsOf(command: CommandName): ParseArgsOptionsConfig {
  const all = optionsOf(command);
  return Object.fromEntries(Object.entries(all).map(([name, o]) => [name, { type: o.type, ...(o.short ? { short: o.short } : {}) }]));
}

function optionLines(options: Record<string, OptionSpec>): string[] {
  const rows = Object.entries(options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.value ? ` ${o.value}` : ''}`;
    return [flag, `${o.help}${o.choices ? `: ${o.choices.join('|')}` : ''}`] as const;
  });
  const width = Math.max(...rows.map(([flag]) => flag.length));
  return rows.map(([flag, help]) => `  ${flag.padEnd(width)}  ${help}`);
}

const CREDENTIALS = `Credentials: PRESSROOM_TOKEN (a bearer token: an access token or API key), else PRESSROOM_EMAIL and PRESSROOM_PASSWORD, else the
bootstrap admin that \`pnpm start\` wrote to the repository's .env.`;

export function mainUsage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length + 1 + COMMANDS[n as CommandName].args.length));
  const commands = Object.entries(COMMANDS).map(([name, c]) => `  ${`${name} ${c.args}`.padEnd(width)}  ${c.summary}`);
  return [
    'usage: pressroom <command> [options]',
    '',
    'Commands:',
    ...commands,
    '',
    'Options for every command (--url only for those that call the gateway):',
    ...optionLines(COMMON),
    '',
    'Run `pressroom <command> --help` for the options of one command.',
    CREDENTIALS,
    'Exit status: 0 done, 1 the request or the API call failed, 2 bad usage.',
    '',
  ].join('\n');
}

export function commandUsage(name: CommandName): string {
  const c = COMMANDS[name];
  return [
    `usage: pressroom ${name}${c.args ? ` ${c.args}` : ''} [options]`,
    '',
    `${c.summary[0]!.toUpperCase()}${c.summary.slice(1)}.`,
    '',
    'Options:',
    ...optionLines(optionsOf(name)),
    '',
    'Example:',
    ...c.examples.map((e) => `  ${e}`),
    '',
    ...(c.local ? [] : [CREDENTIALS, '']),
  ].join('\n');
}
