import { AppModule } from '../app.module';
import { appConfig } from './app.config';
import { ConfigValidationError } from './config.errors';
import { loadConfig, redactUrlPassword } from './config.loader';
import { databaseConfig } from '../database';
import { healthConfig } from '../lifecycle';
import { redisConfig } from '../redis';

describe('loadConfig', () => {
  it('starts with no environment at all: every variable has a default', () => {
    const config = loadConfig(AppModule.configs, {});
    expect(config.get(appConfig)).toEqual({ nodeEnv: 'development', role: 'all', host: '0.0.0.0', port: 3000, bodyLimitBytes: 1_048_576 });
    expect(config.get(databaseConfig).url).toBe('postgres://postgres:postgres@127.0.0.1:5432/bulwark');
    expect(config.get(healthConfig).readyRequires).toEqual([]);
  });

  it('converts and validates values', () => {
    const config = loadConfig(AppModule.configs, { PORT: '8080', APP_ROLE: 'worker', HEALTH_READY_REQUIRES: 'postgres, redis', DATABASE_CREATE: '0' });
    expect(config.get(appConfig)).toMatchObject({ port: 8080, role: 'worker' });
    expect(config.get(healthConfig).readyRequires).toEqual(['postgres', 'redis']);
    expect(config.get(databaseConfig).createDatabase).toBe(false);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig(AppModule.configs, { PORT: '' }).get(appConfig).port).toBe(3000);
    expect(loadConfig(AppModule.configs, { HEALTH_READY_REQUIRES: ' , ' }).get(healthConfig).readyRequires).toEqual([]);
  });

  it('lists every bad variable of every capability in one error', () => {
    const attempt = () =>
      loadConfig(AppModule.configs, {
        PORT: '70000',
        LOG_PRETTY: 'yes',
        REDIS_URL: 'http://localhost',
        HEALTH_READY_REQUIRES: 'postgres,kafka',
        CATALOG_SEED_COUNT: '-1',
      });
    expect(attempt).toThrow(ConfigValidationError);
    try {
      attempt();
    } catch (error) {
      const problems = (error as ConfigValidationError).problems;
      expect(problems.map((p) => p.split(':')[0])).toEqual(['PORT', 'LOG_PRETTY', 'REDIS_URL', 'HEALTH_READY_REQUIRES', 'CATALOG_SEED_COUNT']);
      expect((error as Error).message).toMatch(/^Invalid configuration \(5 problems\)/);
    }
  });

  it('never echoes a password or token in the error', () => {
    try {
      loadConfig([redisConfig, databaseConfig], { REDIS_URL: 'http://user:hunter2@cache', DATABASE_URL: 'mysql://root:s3cret@db/x' });
      throw new Error('expected a ConfigValidationError');
    } catch (error) {
      expect((error as Error).message).not.toMatch(/hunter2|s3cret/);
      expect((error as Error).message).toContain('mysql://root:***@db/x');
    }
  });

  it('says how to fix a config that was never loaded', () => {
    expect(() => loadConfig([appConfig], {}).get(redisConfig)).toThrow(/Config "redis" was not loaded/);
  });
});

describe('redactUrlPassword', () => {
  it('masks the password and leaves everything else', () => {
    expect(redactUrlPassword('postgres://u:p@h:5432/db?ssl=true')).toBe('postgres://u:***@h:5432/db?ssl=true');
    expect(redactUrlPassword('redis://h:6379')).toBe('redis://h:6379');
    expect(redactUrlPassword('not a url')).toBe('not a url');
  });
});
