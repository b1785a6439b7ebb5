/**
 * The consumer-app matrix (`npm run test:consumers`): one fresh app per row, generated as `nest new` of
 * that major scaffolds it (`app-files.ts`), with the packed tarballs installed by a plain `npm install`.
 * Versions are exact (looked up with `npm view <package>@<major> version`); the README's compatibility
 * table names these rows.
 */
export interface Row {
  /** Folder name and the README's name for the row. */
  readonly id: string;
  readonly nest: 10 | 11 | 12;
  readonly platform: 'express' | 'fastify';
  /** The app's own module format: CommonJS (Nest 10 and 11 starters) or ESM (Nest 12's ts-esm starter). */
  readonly format: 'cjs' | 'esm';
  readonly runner: 'jest' | 'vitest';
  /** The starter's `--strict` choice; both are covered. */
  readonly strict: boolean;
  /** Installs @nestjs/terminus and serves the replay store's health (the `/terminus` subpath). */
  readonly terminus?: boolean;
  readonly dependencies: Readonly<Record<string, string>>;
  readonly devDependencies: Readonly<Record<string, string>>;
}

/** The e2e test's signer, the same version as the repository's devDependency. */
const STRIPE = '23.1.0';
const SUPERTEST = '7.3.2';

const nest10 = {
  dependencies: {
    '@nestjs/common': '10.4.22',
    '@nestjs/core': '10.4.22',
    'reflect-metadata': '0.2.2',
    rxjs: '7.8.2',
  },
  devDependencies: {
    '@nestjs/testing': '10.4.22',
    '@types/jest': '29.5.14',
    '@types/node': '20.19.43',
    '@types/supertest': '6.0.3',
    jest: '29.7.0',
    stripe: STRIPE,
    supertest: SUPERTEST,
    'ts-jest': '29.4.15',
    typescript: '5.9.3',
  },
};

const nest11 = {
  dependencies: {
    '@nestjs/common': '11.2.10',
    '@nestjs/core': '11.2.10',
    'reflect-metadata': '0.2.2',
    rxjs: '7.8.2',
  },
  devDependencies: {
    '@nestjs/testing': '11.2.6',
    '@types/jest': '30.0.0',
    '@types/node': '24.19.4',
    '@types/supertest': '7.2.1',
    jest: '30.5.2',
    stripe: STRIPE,
    supertest: SUPERTEST,
    'ts-jest': '29.4.15',
    typescript: '5.9.3',
  },
};

const nest12 = {
  dependencies: {
    '@nestjs/common': '12.5.1',
    '@nestjs/core': '12.5.1',
    'reflect-metadata': '0.2.2',
    rxjs: '7.8.2',
  },
  devDependencies: {
    '@nestjs/testing': '12.1.1',
    '@types/node': '24.19.4',
    '@types/supertest': '7.2.1',
    stripe: STRIPE,
    supertest: SUPERTEST,
    typescript: '6.0.3',
    'vite-tsconfig-paths': '5.1.4',
    vitest: '4.1.12',
  },
};

export const ROWS: readonly Row[] = [
  {
    id: 'nest10-cjs-jest-express',
    nest: 10,
    platform: 'express',
    format: 'cjs',
    runner: 'jest',
    strict: false,
    dependencies: { ...nest10.dependencies, '@nestjs/platform-express': '10.4.22' },
    devDependencies: nest10.devDependencies,
  },
  {
    id: 'nest11-cjs-jest-express',
    nest: 11,
    platform: 'express',
    format: 'cjs',
    runner: 'jest',
    strict: true,
    terminus: true,
    dependencies: {
      ...nest11.dependencies,
      '@nestjs/platform-express': '11.2.10',
      '@nestjs/terminus': '11.1.1',
    },
    devDependencies: nest11.devDependencies,
  },
  {
    id: 'nest11-cjs-jest-fastify',
    nest: 11,
    platform: 'fastify',
    format: 'cjs',
    runner: 'jest',
    strict: false,
    dependencies: { ...nest11.dependencies, '@nestjs/platform-fastify': '11.2.8' },
    devDependencies: nest11.devDependencies,
  },
  {
    id: 'nest12-esm-vitest-express',
    nest: 12,
    platform: 'express',
    format: 'esm',
    runner: 'vitest',
    strict: true,
    dependencies: { ...nest12.dependencies, '@nestjs/platform-express': '12.5.1' },
    devDependencies: nest12.devDependencies,
  },
  {
    id: 'nest12-esm-vitest-fastify',
    nest: 12,
    platform: 'fastify',
    format: 'esm',
    runner: 'vitest',
    strict: false,
    dependencies: { ...nest12.dependencies, '@nestjs/platform-fastify': '12.5.0' },
    devDependencies: nest12.devDependencies,
  },
];
