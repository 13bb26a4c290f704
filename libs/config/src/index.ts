export { ConfigSchema, SECRET_SETTINGS, type Config } from './schema.ts';
export { loadConfig, ConfigError } from './load-config.ts';
export { isPlaceholder, type ServiceName } from './requirements.ts';
export { loadEnvFile } from './env-file.ts';
export { loadConfigOrExit } from './load-or-exit.ts';
export { exitIfConfigCheck, CONFIG_CHECK_FLAG } from './config-check.ts';
