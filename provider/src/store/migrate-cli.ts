/**
 * `npm run db:migrate -w provider [-- <database URL>]`: applies the schema migrations and exits. The provider
 * also applies them at start, so this is for deployments that migrate as a separate step (before starting new
 * code, say).
 *
 * The URL is the first argument, or DATABASE_URL as config.ts reads it (the environment, then provider/.env and
 * the root .env). It holds a password, so it is never printed: only "PostgreSQL at host:port/db".
 */
import { ConfigError, loadDatabaseConfig, loadDotEnv, type DatabaseSettings } from '../config.ts';
import { allMigrations } from '../database.ts';
import { migrate } from './migrate.ts';
import { createPool } from './postgres-pool.ts';

function database(): DatabaseSettings {
  loadDotEnv();
  const settings = loadDatabaseConfig(process.argv[2] ? { DATABASE_URL: process.argv[2] } : process.env);
  if (!settings) throw new ConfigError('DATABASE_URL is not set (or pass the database URL as the first argument)');
  return settings;
}

let pool;
try {
  const settings = database();
  pool = createPool(settings.url);
  const applied = await migrate(pool, allMigrations());
  console.log(applied.length > 0 ? `${settings.description}: applied ${applied.join(', ')}` : `${settings.description}: the schema is up to date.`);
} catch (err) {
  // pg's messages name the host and user at most, never the password; the URL itself is not printed.
  console.error(`Migration failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
} finally {
  await pool?.end();
}
