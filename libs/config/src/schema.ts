import { Type, type Static } from '@sinclair/typebox';
import { StringEnum } from '@pressroom/contracts';

const Port = (def: number) => Type.Integer({ minimum: 1, maximum: 65535, default: def });
const Int = (def: number, minimum = 0, maximum = Number.MAX_SAFE_INTEGER) => Type.Integer({ default: def, minimum, maximum });
const OptInt = (minimum = 0) => Type.Optional(Type.Integer({ minimum }));
const Str = (def: string) => Type.String({ default: def });
const OptStr = () => Type.Optional(Type.String({ minLength: 1 }));
const Url = (def: string) => Type.String({ format: 'uri', default: def });
const OptUrl = () => Type.Optional(Type.String({ format: 'uri', pattern: '^[a-z][a-z0-9+.-]*://' }));
const Price = Type.Number({ minimum: 0, maximum: 1_000_000 });
const Enum = <const T extends readonly string[]>(values: T, def: T[number]) => StringEnum(values, { default: def });

/**
 * Every setting of every service, in one schema: its type is the `Config` type, its defaults are the
 * documented defaults, and `.env.example` documents the same names. Durations carry their unit in the name.
 */
export const ConfigSchema = Type.Object(
  {
    NODE_ENV: Enum(['development', 'test', 'production'] as const, 'development'),
    LOG_LEVEL: Enum(['debug', 'info', 'warn', 'error', 'silent'] as const, 'info'),
    GATEWAY_PORT: Port(8080),
    GATEWAY_OPS_PORT: Port(9080),
    RESEARCH_PORT: Port(8081),
    LLM_PORT: Port(8082),
    PUBLISHER_PORT: Port(8083),
    DATABASE_URL: Type.String({ default: 'postgres://postgres@127.0.0.1:5432/pressroom', pattern: '^postgres(ql)?://' }),
    DATABASE_POOL_MAX: Int(10, 1, 200),
    RABBITMQ_URL: Type.String({ default: 'amqp://guest:guest@127.0.0.1:5672', pattern: '^amqps?://' }),
    AMQP_PREFIX: Type.String({ default: '', pattern: '^[a-z0-9_.-]*$', maxLength: 64 }),
    AMQP_PREFETCH: Int(32, 1, 1000),
    AMQP_HEARTBEAT_S: Int(15, 1, 600),
    STARTED_EVENT_DELAY_MS: Int(250, 0, 60000),
    REDIS_URL: Type.String({ default: 'redis://127.0.0.1:6379', pattern: '^rediss?://' }),
    REDIS_KEY_PREFIX: Type.String({ default: 'pressroom:', maxLength: 64 }),

    JWT_ALGORITHM: Enum(['HS256', 'RS256'] as const, 'HS256'),
    JWT_SECRET: OptStr(),
    JWT_PRIVATE_KEY: OptStr(),
    JWT_PUBLIC_KEY: OptStr(),
    JWT_ACCESS_TTL: Int(900, 30, 86400),
    JWT_REFRESH_TTL: Int(604800, 60, 31536000),
    REFRESH_REUSE_GRACE_S: Int(10, 0, 300),
    JWT_ISSUER: Str('pressroom'),
    JWT_AUDIENCE: Str('pressroom-api'),
    RATE_LIMIT_USER_PER_HOUR: Int(100, 1),
    RATE_LIMIT_IP_PER_HOUR: Int(100, 1),
    RATE_LIMIT_AUTH_PER_HOUR: Int(20, 1),
    RATE_LIMIT_USER_READS_PER_HOUR: Int(3600, 1),
    RATE_LIMIT_IP_AUTHENTICATED_PER_HOUR: Int(7200, 1),
    MAX_STREAMS_PER_USER: Int(10, 1, 10000),
    STREAM_HEARTBEAT_MS: Int(15000, 50, 600000),
    STREAM_MAX_BUFFER_BYTES: Int(1048576, 1024, 268435456),
    LOGIN_FAILURES_PER_ACCOUNT: Int(5, 1, 1000),
    LOGIN_FAILURES_PER_IP: Int(20, 1, 100000),
    LOGIN_FAILURE_WINDOW_S: Int(900, 1, 86400),
    CORS_ORIGINS: Str(''),
    DAILY_REQUEST_QUOTA: Int(50, 0),
    // Off when unset. A user whose LLM spend today (UTC) has reached it gets 429 quota_exceeded on submit.
    DAILY_SPEND_BUDGET_USD: Type.Optional(Type.Number({ minimum: 0, maximum: 1_000_000 })),
    BOOTSTRAP_ADMIN_EMAIL: Type.Optional(Type.String({ format: 'email' })),
    BOOTSTRAP_ADMIN_PASSWORD: Type.Optional(Type.String({ minLength: 10 })),
    TRUST_PROXY_HOPS: Int(0, 0, 10),
    // Peers (addresses or CIDR ranges: the load balancer, the ingress) whose incoming traceparent is continued; empty: nobody's.
    TRUSTED_TRACE_SOURCES: Type.String({ default: '', pattern: '^[0-9A-Fa-f:.,/ ]*$' }),
    BODY_LIMIT_BYTES: Int(32768, 1024, 10485760),
    OUTBOX_BATCH_SIZE: Int(200, 1, 5000),
    OUTBOX_POLL_MS: Int(1000, 10, 60000),
    SHED_TASK_AGE_S: Int(120, 1, 86400),

    LLM_PROVIDER: Enum(['local', 'openai'] as const, 'local'),
    LLM_BASE_URL: Url('https://api.openai.com/v1'),
    LLM_API_KEY: OptStr(),
    LLM_MODEL: Str('gpt-4o-mini'),
    LLM_TIMEOUT_MS: Int(60000, 100, 600000),
    // The cap on an answer's tokens: a `long` article (about 1200 words, in JSON, with citations) needs about 2,900.
    LLM_MAX_TOKENS: Int(4096, 16, 32000),
    LLM_CACHE_TTL_S: Int(86400, 0),
    // JSON: USD per million tokens by model, e.g. {"gpt-4o-mini":{"input":0.15,"output":0.6}}. A model not listed
    // has an unknown cost (null); the built-in writer costs nothing whatever the table says.
    LLM_PRICES: Type.Record(Type.String({ minLength: 1, maxLength: 200 }), Type.Object({ input: Price, output: Price }, { additionalProperties: false }), {
      default: {},
      maxProperties: 500,
    }),

    SEARCH_PROVIDER: Enum(['local', 'google', 'serper', 'brave', 'searxng'] as const, 'local'),
    SEARCH_RESULTS: Int(5, 1, 20),
    SEARCH_CACHE_TTL_S: Int(3600, 0),
    // Unset: 1 for the local corpus, 2 for web search (services/research worker.ts).
    MIN_SOURCES: Type.Optional(Type.Integer({ minimum: 1, maximum: 20 })),
    GOOGLE_API_KEY: OptStr(),
    GOOGLE_CSE_ID: OptStr(),
    GOOGLE_CSE_URL: Url('https://customsearch.googleapis.com/customsearch/v1'),
    SERPER_API_KEY: OptStr(),
    SERPER_URL: Url('https://google.serper.dev/search'),
    BRAVE_API_KEY: OptStr(),
    BRAVE_URL: Url('https://api.search.brave.com/res/v1/web/search'),
    SEARXNG_URL: OptUrl(),
    LOCAL_CORPUS_DIR: OptStr(),
    FETCH_MAX_BYTES: Int(2000000, 1024, 50000000),
    FETCH_USER_AGENT: Type.String({ default: 'Pressroom/0.1 (+https://github.com/pressroom)', minLength: 1, maxLength: 256 }),
    RESPONSE_MAX_BYTES: Int(4000000, 1024, 100000000),
    HTTP_TIMEOUT_MS: Int(5000, 50, 120000),

    DEFAULT_CHANNEL: Enum(['file', 'webhook', 'wordpress'] as const, 'file'),
    DEFAULT_WEBHOOK_URL: OptUrl(),
    PUBLISH_DIR: OptStr(),
    WEBHOOK_SIGNING_SECRET: OptStr(),
    // Completion callbacks (gateway): poll for due deliveries, retry with backoff, disable a failing endpoint.
    WEBHOOK_POLL_MS: Int(1000, 10, 60000),
    WEBHOOK_TIMEOUT_MS: Int(5000, 50, 60000),
    WEBHOOK_MAX_ATTEMPTS: Int(8, 1, 50),
    WEBHOOK_RETRY_BASE_MS: Int(30000, 10, 3600000),
    WEBHOOK_RETRY_MAX_MS: Int(3600000, 10, 86400000),
    WEBHOOK_DISABLE_AFTER_FAILURES: Int(20, 1, 10000),
    // ...and only once those failures span this long (0: the count alone).
    WEBHOOK_DISABLE_AFTER_S: Int(3600, 0, 2592000),
    WEBHOOK_SECRET_OVERLAP_S: Int(86400, 0, 604800),
    WORDPRESS_URL: OptUrl(),
    WORDPRESS_USER: OptStr(),
    WORDPRESS_APP_PASSWORD: OptStr(),
    WORDPRESS_POST_STATUS: Enum(['publish', 'draft'] as const, 'publish'),
    ALLOW_PRIVATE_TARGETS: Type.Boolean({ default: false }),

    RETRY_BASE_MS: Int(1000, 10),
    RETRY_FACTOR: Type.Number({ default: 4, minimum: 1, maximum: 10 }),
    RETRY_MAX_MS: Int(60000, 10),
    RETRY_MAX_ATTEMPTS: Int(5, 1, 20),
    SHUTDOWN_TIMEOUT_MS: Int(10000, 100, 600000),
    STARTUP_WAIT_S: Int(60, 1, 86400),
    BREAKER_RESET_MS: Int(30000, 100, 3600000),
    BREAKER_ERROR_PERCENT: Int(50, 1, 100),
    BREAKER_VOLUME: Int(5, 1, 1000),
    BREAKER_MAX_DEFERRALS: Int(30, 0, 10000),

    ALERT_SLACK_WEBHOOK_URL: OptUrl(),
    ALERT_WEBHOOK_URL: OptUrl(),
    ALERT_WEBHOOK_SECRET: Type.Optional(
      Type.String({
        pattern: '^whsec_[A-Za-z0-9+/]+={0,2}$',
        description:
          'The Standard Webhooks secret (whsec_<base64 key>, 24-64 bytes) that signs deliveries to ALERT_WEBHOOK_URL. Unset: derived from WEBHOOK_SIGNING_SECRET (HKDF, context alert-webhook:v1); `pressroom alert-webhook-secret` prints the one in use.',
      }),
    ),
    ALERT_EMAIL_TO: OptStr(),
    ALERT_EMAIL_FROM: OptStr(),
    ALERT_COOLDOWN_S: Int(300, 1, 86400),
    // The services' own latency alerts: unset means off, because where Prometheus runs its rules own latency
    // (docs/operations.md#who-sends-which-alert). `pnpm start`, with no Prometheus, sets them (scripts/start.ts).
    ALERT_STAGE_LATENCY_MS: OptInt(1),
    ALERT_REQUEST_LATENCY_MS: OptInt(1),
    ALERT_HTTP_LATENCY_MS: OptInt(1),
    SMTP_URL: OptUrl(),
    OTEL_EXPORTER_OTLP_ENDPOINT: OptUrl(),
    OTEL_SERVICE_NAME: OptStr(),
    // The operator console links a request to `${JAEGER_UI_URL}/trace/<trace_id>`; unset, it shows no link.
    JAEGER_UI_URL: OptUrl(),
  },
  { additionalProperties: true },
);

export type Config = Static<typeof ConfigSchema>;

/** Settings that may also arrive as `<NAME>_FILE` (a mounted secret). */
export const SECRET_SETTINGS = [
  'JWT_SECRET',
  'JWT_PRIVATE_KEY',
  'JWT_PUBLIC_KEY',
  'BOOTSTRAP_ADMIN_PASSWORD',
  'DATABASE_URL',
  'RABBITMQ_URL',
  'REDIS_URL',
  'LLM_API_KEY',
  'GOOGLE_API_KEY',
  'SERPER_API_KEY',
  'BRAVE_API_KEY',
  'WEBHOOK_SIGNING_SECRET',
  'WORDPRESS_APP_PASSWORD',
  'ALERT_SLACK_WEBHOOK_URL',
  'ALERT_WEBHOOK_URL',
  'ALERT_WEBHOOK_SECRET',
  'SMTP_URL',
] as const;
