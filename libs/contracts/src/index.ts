export * from './stages.ts';
export * from './errors.ts';
export * from './validator.ts';
export * from './payloads.ts';
export * from './events.ts';
export * from './http.ts';
export * from './string-enum.ts';
export * from './http-integrations.ts';
