/** The flag that makes a service's `main.ts` stop after loading instead of starting. */
export const CONFIG_CHECK_FLAG = '--check-config';

/**
 * `node services/<name>/src/main.ts --check-config`: called once the config is parsed, tracing is started and
 * every module the service runs is imported, it exits 0 before anything connects. It proves that an install
 * (above all the image's `pnpm install --prod`) resolves every runtime import: scripts/check-prod-install.ts.
 */
export async function exitIfConfigCheck(service: string, tracing: { shutdown(): Promise<void> }, argv = process.argv): Promise<void> {
  if (!argv.includes(CONFIG_CHECK_FLAG)) return;
  await tracing.shutdown();
  process.stdout.write(`${service}: configuration valid and every module loaded (${CONFIG_CHECK_FLAG}); nothing was started\n`);
  process.exit(0);
}
