// One test run for the whole repository: `npm test` at the root runs every project listed here.
// (vitest 3 prints a deprecation notice for workspace files; it still honours them, vitest 4 does not.)
export default ['provider', 'client', 'integration'];
