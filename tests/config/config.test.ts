// Settings: defaults that work on a laptop, one-line errors naming the variable, the kept development secret.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { isNodeVersionSupported } from '../../src/runtime-check.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'docrpc-config-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('loadConfig', () => {
  it('has working defaults', () => {
    const config = loadConfig({ DATA_DIR: tempDir() });
    expect(config).toMatchObject({
      env: 'development',
      databaseUrl: undefined,
      port: 3000,
      host: '127.0.0.1',
      logLevel: 'info',
      corsOrigins: [],
      maxRequestBytes: 1024 * 1024,
      maxBatchSize: 50,
    });
  });

  it.each([
    [{ PORT: 'abc' }, /^Invalid configuration: PORT must be a number \(got "abc"\)$/],
    [{ PORT: '70000' }, /^Invalid configuration: PORT must be between 0 and 65535/],
    [{ LOG_LEVEL: 'loud' }, /^Invalid configuration: LOG_LEVEL /],
    [{ DATABASE_URL: 'mysql://x' }, /^Invalid configuration: DATABASE_URL must start with postgres:\/\//],
    [{ CORS_ORIGINS: 'not a url' }, /^Invalid configuration: CORS_ORIGINS /],
    [{ JWT_SECRET: 'short' }, /^Invalid configuration: JWT_SECRET must be at least 32 characters/],
    [{ LLM_BASE_URL: 'dashscope' }, /^Invalid configuration: LLM_BASE_URL must be a URL/],
    [
      { LLM_RATE_LIMIT_WINDOW_SECONDS: '7200' },
      /^Invalid configuration: LLM_RATE_LIMIT_WINDOW_SECONDS must be at most 3600/,
    ],
  ])('names the bad variable in one line: %o', (env, message) => {
    const error = (() => {
      try {
        loadConfig({ DATA_DIR: tempDir(), ...env });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });

  it('requires JWT_SECRET in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', DATA_DIR: tempDir() })).toThrow(
      'Invalid configuration: JWT_SECRET is required when NODE_ENV=production',
    );
  });

  it('generates a development JWT secret once and keeps it in DATA_DIR (0600)', () => {
    const dataDir = tempDir();
    const first = loadConfig({ DATA_DIR: dataDir }).jwtSecret;
    const second = loadConfig({ DATA_DIR: dataDir }).jwtSecret;
    expect(first).toHaveLength(64);
    expect(second).toBe(first);
    const file = path.join(dataDir, 'jwt-secret');
    expect(readFileSync(file, 'utf8').trim()).toBe(first);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('parses lists and numbers', () => {
    const config = loadConfig({
      DATA_DIR: tempDir(),
      CORS_ORIGINS: 'http://localhost:5173, https://app.example.com',
      MAX_REQUEST_BYTES: '2048',
      DATABASE_URL: 'postgres://u:p@db.example.com:5432/docrpc',
    });
    expect(config.corsOrigins).toEqual(['http://localhost:5173', 'https://app.example.com']);
    expect(config.maxRequestBytes).toBe(2048);
    expect(config.databaseUrl).toBe('postgres://u:p@db.example.com:5432/docrpc');
  });
});

describe('LLM provider settings', () => {
  it('has no server provider unless LLM_BASE_URL or LLM_API_KEY is set (the built-in summariser runs)', () => {
    const config = loadConfig({ DATA_DIR: tempDir(), LLM_BASE_URL: ' ', LLM_API_KEY: '' });
    expect(config.llm).toMatchObject({ server: null, defaultModel: 'gpt-4o-mini', concurrency: 4 });
  });

  it.each([
    [{ LLM_API_KEY: 'sk-abc' }, { baseURL: 'https://api.openai.com/v1', apiKey: 'sk-abc' }],
    [
      { LLM_BASE_URL: 'http://localhost:11434/v1' },
      { baseURL: 'http://localhost:11434/v1', apiKey: undefined },
    ],
    [
      { LLM_BASE_URL: 'https://dashscope.aliyuncs.com/compatible-mode/v1', LLM_API_KEY: 'sk-q' },
      { baseURL: 'https://dashscope.aliyuncs.com/compatible-mode/v1', apiKey: 'sk-q' },
    ],
  ])('a key, a base URL or both make the server provider: %o', (env, server) => {
    expect(loadConfig({ DATA_DIR: tempDir(), ...env }).llm.server).toEqual(server);
  });
});

describe('npm start with a bad setting', () => {
  it.each([
    [{ PORT: 'abc' }, 'Invalid configuration: PORT must be a number (got "abc")'],
    [{ NODE_ENV: 'production' }, 'Invalid configuration: JWT_SECRET is required when NODE_ENV=production'],
  ])('exits non-zero with one line on stderr: %o', (env, line) => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: path.resolve(import.meta.dirname, '../..'),
      env: { PATH: process.env.PATH, DATA_DIR: tempDir(), ...env },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(`${line}\n`);
  });
});

describe('Node.js version check', () => {
  it.each([
    ['22.12.0', true],
    ['v22.23.3', true],
    ['24.0.0', true],
    ['22.11.9', false],
    ['20.20.2', false],
    ['v18.19.0', false],
  ])('%s supported: %s', (version, supported) => {
    expect(isNodeVersionSupported(version, '22.12.0')).toBe(supported);
  });
});
