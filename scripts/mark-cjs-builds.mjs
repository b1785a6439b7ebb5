// After `tsc -b`: marks each library's CommonJS build (dist/cjs) as CommonJS for Node and TypeScript,
// whatever the library's own package.json says ("type": "module"). See docs/architecture.md, "Packaging".
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
for (const lib of ['core', 'nestjs']) {
  const dir = join(root, 'libs', lib, 'dist', 'cjs');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{ "type": "commonjs" }\n');
}
