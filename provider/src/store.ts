/**
 * Moved: the storage interface and its implementations are in ./store/ (index.ts). This file only keeps
 * `routes/login.ts` compiling until its import names `Store` from './store/index.ts'; then delete it.
 */
export type { Client, Store as InMemoryStore, User } from './store/index.ts';
