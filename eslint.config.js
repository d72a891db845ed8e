// npm run lint (before the tests): type-aware rules from typescript-eslint. Layering and import circles are
// dependency-cruiser's (.dependency-cruiser.cjs). eslint-suppressions.json and
// .dependency-cruiser-known-violations.json hold only what fails in the files the lib-core branch of issue 11
// rewrites (secy/secy.ts, crypto/burst.ts, crypto/pool*.ts): empty them when it is merged.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'build/**', 'node_modules/**', 'bench/results/**', 'native/**'] },
  {
    files: ['src/**/*.ts', 'bench/**/*.ts', 'test/**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { project: './tsconfig.test.json', tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // An assertion that changes no type does nothing (with noUncheckedIndexedAccess, `a[i]!` does something).
      '@typescript-eslint/no-unnecessary-type-assertion': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    // In production code, `x!` outside an indexed access claims an invariant the types could carry
    // instead (a narrowed variable, a non-optional field); `a[i]!` states a bound the code checked. In a
    // test a wrong `!` fails the test, which is the check.
    files: ['src/**/*.ts', 'bench/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "TSNonNullExpression:not([expression.type='MemberExpression'][expression.computed=true])",
          message: 'Non-null assertion: type the invariant instead (narrow, or make the field non-optional); only an indexed access a[i]! may assert.',
        },
      ],
    },
  },
);
