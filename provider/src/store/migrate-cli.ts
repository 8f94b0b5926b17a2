/**
 * `npm run db:migrate -w provider [-- <database URL>]`: applies the schema migrations and exits. The provider
 * also applies them at start, so this is for deployments that migrate as a separate step.
 *
 * The URL is the first argument or DATABASE_URL (from the environment or provider/.env). This entry point
 * reads it itself for now; it belongs in config.ts with the provider's other variables (to consolidate).
 */
import { loadDotEnv } from '../config.ts';
import { migrate } from './migrate.ts';
import { createPool } from './postgres-pool.ts';

function databaseUrl(): string {
  loadDotEnv();
  const url = process.argv[2] || process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set (or pass the database URL as the first argument)');
  return url;
}

let pool;
try {
  pool = createPool(databaseUrl());
  const applied = await migrate(pool);
  console.log(applied.length > 0 ? `Applied migrations: ${applied.join(', ')}` : 'The database schema is up to date.');
} catch (err) {
  // pg's messages name the host and user at most, never the password; the URL itself is not printed.
  console.error(`Migration failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
} finally {
  await pool?.end();
}
