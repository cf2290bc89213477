import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The floors of src/, lowest first. A folder imports only from its own floor or a lower one, so an
// arrow the wrong way (config importing confirm, audit importing report) fails the lint. calendar sits
// with ingest and reconcile: a calendar change reloads the calendar through ingest's loader,
// re-derives clearing dates with its normaliser and reads the rule set, and ingest's loader reads the
// changes in force. 'index' is src/index.ts, the library's one public entry.
const FLOORS = [
  ['shared'],
  ['model'],
  ['db', 'config', 'audit'],
  ['ingest', 'reconcile', 'calendar'],
  ['report'],
  ['confirm'],
  ['workflow'],
  ['index'],
  ['cli'],
];
// Deepest folder nesting below a floor's folder that the rule covers (src/ingest/normalise/x.ts is 2).
const MAX_DEPTH = 4;

/**
 * A relative import that climbs to src/ from `depth` folders down and enters one of `folders`. The rule
 * sees the specifier as written, so only one climbing exactly to src/ names a floor: in
 * src/report/html/, '../index.js' is report's own index, not the library's.
 */
function climbInto(depth, folders) {
  const up = depth === 0 ? '\\./' : `(?:\\.\\./){${depth}}`;
  const names = folders.filter((f) => f !== 'index');
  const alternatives = [];
  if (names.length > 0) alternatives.push(`(?:${names.join('|')})/`);
  if (folders.includes('index')) alternatives.push('index\\.js$');
  return `^${up}(?:${alternatives.join('|')})`;
}

/** One no-restricted-imports block per folder and depth, each forbidding the floors above it. */
function importFloors() {
  const blocks = [];
  FLOORS.forEach((floor, level) => {
    const above = FLOORS.slice(level + 1).flat();
    const allowed = FLOORS.slice(0, level + 1).flat();
    for (const folder of floor) {
      const name = folder === 'index' ? 'src/index.ts' : `src/${folder}`;
      const message = `${name} may import only from ${allowed.join(', ')} (its own floor or lower); move what both need down a floor (src/shared, src/model) instead of importing upwards.`;
      const depths = folder === 'index' ? [0] : Array.from({ length: MAX_DEPTH }, (_, i) => i + 1);
      for (const depth of depths) {
        const files = folder === 'index' ? ['src/index.ts'] : [`src/${folder}/${'*/'.repeat(depth - 1)}*.ts`];
        const patterns = above.length === 0 ? [] : [{ regex: climbInto(depth, above), message }];
        blocks.push({ files, rules: { 'no-restricted-imports': ['error', { patterns }] } });
      }
    }
  });
  return blocks;
}

export default tseslint.config(
  {
    ignores: ['dist/**', 'node_modules/**', 'bin/**', 'coverage/**', 'test-artifacts/**', 'eslint.config.js'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  ...importFloors(),
  { files: ['src/cli/**', 'scripts/**', 'bench/**', 'test/support/**'], rules: { 'no-console': 'off' } },
  // Migrations take Kysely<any> on purpose: they are frozen in time and must not import today's types.
  { files: ['migrations/**'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
);
