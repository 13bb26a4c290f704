import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, pollUntil, testId } from '@pressroom/test-support';

const run = promisify(execFile);
const WORDPRESS_ROOT = '/usr/share/wordpress';
const HERE = join(import.meta.dirname, 'wordpress');
const SETUP_HINT = 'run `bash scripts/setup-wordpress.sh` (it installs wordpress, php-cli and php-mysql from Debian packages and checks MariaDB)';

/** Fails (never skips) when the machine lacks what a real WordPress needs. */
async function assertWordpressInstalled(): Promise<void> {
  if (!existsSync(join(WORDPRESS_ROOT, 'wp-settings.php'))) throw new Error(`WordPress is not installed in ${WORDPRESS_ROOT}: ${SETUP_HINT}`);
  try {
    await run('php', ['-r', 'exit(class_exists("mysqli") ? 0 : 1);']);
  } catch {
    throw new Error(`php with the mysqli extension is not available: ${SETUP_HINT}`);
  }
}

function wpConfig(database: string, url: string): string {
  const key = () => randomBytes(32).toString('base64');
  const keys = ['AUTH_KEY', 'SECURE_AUTH_KEY', 'LOGGED_IN_KEY', 'NONCE_KEY', 'AUTH_SALT', 'SECURE_AUTH_SALT', 'LOGGED_IN_SALT', 'NONCE_SALT'];
  return `<?php
define('DB_NAME', '${database}');
define('DB_USER', 'root');
define('DB_PASSWORD', '');
define('DB_HOST', '127.0.0.1:3306');
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
${keys.map((k) => `define('${k}', '${key()}');`).join('\n')}
$table_prefix = 'wp_';
define('WP_HOME', '${url}');
define('WP_SITEURL', '${url}');
// Application passwords need HTTPS or a "local" environment (wp_is_application_passwords_supported).
define('WP_ENVIRONMENT_TYPE', 'local');
define('WP_DEBUG', false);
define('DISABLE_WP_CRON', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_HTTP_BLOCK_EXTERNAL', true);
if (!defined('ABSPATH')) define('ABSPATH', __DIR__ . '/');
require_once ABSPATH . 'wp-settings.php';
`;
}

/**
 * A site of its own: WordPress's top-level PHP files copied (wp-load.php finds wp-config.php next to
 * itself, and Debian's own wp-config.php reads /etc/wordpress), its folders linked from Debian's package.
 */
async function buildSite(dir: string, database: string, url: string): Promise<void> {
  for (const entry of await readdir(WORDPRESS_ROOT, { withFileTypes: true })) {
    const from = join(WORDPRESS_ROOT, entry.name);
    if (entry.isDirectory()) await symlink(from, join(dir, entry.name));
    else if (entry.name.endsWith('.php') && entry.name !== 'wp-config.php') await copyFile(from, join(dir, entry.name));
  }
  await writeFile(join(dir, 'wp-config.php'), wpConfig(database, url));
}

/**
 * A real WordPress from Debian's packages on a loopback port (PHP's built-in server), installed into a fresh
 * MariaDB database, with an administrator and an application password for the REST API.
 */
export async function startWordpressSite(label: string) {
  await assertWordpressInstalled();
  const id = testId(label);
  const database = `pressroom_wp_${id}`;
  const dir = await mkdtemp(join(tmpdir(), `pressroom-wp-${id}-`));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let server: ChildProcess | undefined;
  let serverLog = '';
  const close = async () => {
    if (server?.pid && server.exitCode === null) {
      const exited = once(server, 'exit');
      process.kill(-server.pid, 'SIGTERM');
      await exited;
    }
    await run('php', [join(HERE, 'drop-site.php'), database]).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await buildSite(dir, database, url);
    // Its own process group, so that close() ends the server and the workers it forks, and nothing else.
    server = spawn('php', ['-S', `127.0.0.1:${port}`, '-t', dir, join(HERE, 'router.php')], {
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, PHP_CLI_SERVER_WORKERS: '4' },
    });
    server.stderr?.on('data', (chunk: Buffer) => (serverLog = (serverLog + chunk.toString()).slice(-4000)));
    await pollUntil(
      'the PHP server to answer',
      async () => ((await fetch(`${url}/wp-includes/css/dashicons.min.css`).catch(() => undefined))?.ok ? true : undefined),
      {
        timeoutMs: 15_000,
        lastSeen: () => serverLog,
      },
    );
    const user = 'editor';
    const installed = await run('php', [join(HERE, 'install-site.php'), dir, database, url, user], { timeout: 60_000 });
    const lastLine = installed.stdout.trim().split('\n').at(-1) ?? '';
    const { app_password: appPassword } = JSON.parse(lastLine) as { app_password: string };
    const authorization = `Basic ${Buffer.from(`${user}:${appPassword}`).toString('base64')}`;
    return {
      url,
      user,
      appPassword,
      /** An authenticated REST call, e.g. `api('/wp/v2/posts?context=edit')`. */
      async api<T>(route: string): Promise<T> {
        const res = await fetch(`${url}/wp-json${route}`, { headers: { authorization } });
        if (!res.ok) throw new Error(`GET ${route}: HTTP ${res.status} ${await res.text()}`);
        return (await res.json()) as T;
      },
      close,
    };
  } catch (err) {
    await close();
    throw new Error(`could not start a WordPress site (${(err as Error).message}); PHP server said: ${serverLog.trim() || 'nothing'}`, { cause: err });
  }
}

export type WordpressSite = Awaited<ReturnType<typeof startWordpressSite>>;
