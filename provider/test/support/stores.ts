/**
 * The store implementations the suites run against: memory always, PostgreSQL when a server is available (see
 * postgres-setup.ts). A suite written once runs against each with `describe.each(storeBackends())`.
 */
import { PostgresStore, migrate, openStore, type Store, type StoreOptions } from '../../src/store/index.ts';
import { postgresAdminUrl, usePostgresDatabase } from './postgres.ts';

export interface StoreBackend {
  name: 'memory' | 'postgres';
  /** A store holding nothing but the given clients and user. */
  open(options: StoreOptions): Promise<Store>;
  /**
   * `count` stores over the same state, as `count` provider processes would see it: on PostgreSQL each has a
   * pool of its own, so concurrent calls really run on different connections.
   */
  openPeers(options: StoreOptions, count: number): Promise<Store[]>;
}

export const memoryBackend: StoreBackend = {
  name: 'memory',
  open: (options) => openStore(options),
  async openPeers(options, count) {
    const store = await openStore(options);
    return Array.from({ length: count }, () => store);
  },
};

/**
 * Call at the top of a test file: the file gets its own PostgreSQL database (created before its tests, dropped
 * after), and each `open()` empties it first, so every test starts from nothing, as with a new memory store.
 */
export function storeBackends(): StoreBackend[] {
  if (!postgresAdminUrl) return [memoryBackend];
  const database = usePostgresDatabase();
  let shared: ReturnType<typeof database.pool> | undefined;
  const open = async (options: StoreOptions) => {
    if (!shared) {
      shared = database.pool({ max: 10 });
      await migrate(shared);
    }
    await shared.query('TRUNCATE grants, clients, users, login_sessions, rate_limits');
    return openStore({ ...options, pool: shared });
  };
  const postgres: StoreBackend = {
    name: 'postgres',
    open,
    async openPeers(options, count) {
      await open(options);
      // The schema and the configured rows are in place: each peer only needs its own pool.
      return Array.from({ length: count }, () => new PostgresStore(database.pool({ max: 2 })));
    },
  };
  return [memoryBackend, postgres];
}
