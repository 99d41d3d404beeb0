import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { handlerCode } from '../../../lib/private/handler-code';

/** A package root with `files` (relative paths) in it; the module asking is `<root>/<moduleDir>`. */
function layout(files: readonly string[]): string {
  const root = mkdtempSync(join(tmpdir(), 'watchdog-handler-code-'));
  for (const file of files) {
    mkdirSync(join(root, file, '..'), { recursive: true });
    writeFileSync(join(root, file), '');
  }
  return root;
}

describe('handlerCode', () => {
  const roots: string[] = [];
  afterAll(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

  it('takes the prebuilt bundle next to the compiled library (the installed package)', () => {
    const root = layout(['dist/handlers/on-alarm/index.js', 'dist/lib/private/handler-code.js']);
    roots.push(root);
    expect(handlerCode('on-alarm', join(root, 'dist', 'lib', 'private'))).toEqual({
      kind: 'prebuilt',
      directory: join(root, 'dist', 'handlers', 'on-alarm'),
    });
  });

  it('takes the prebuilt bundle from inside the installed CLI bundle (dist/cli: `watchdog validate`)', () => {
    const root = layout(['dist/handlers/on-operator/index.js', 'dist/cli/watchdog.js']);
    roots.push(root);
    expect(handlerCode('on-operator', join(root, 'dist', 'cli'))).toEqual({
      kind: 'prebuilt',
      directory: join(root, 'dist', 'handlers', 'on-operator'),
    });
  });

  it('takes the TypeScript entry in a checkout, even after `npm pack` built dist/ there', () => {
    const root = layout(['lambda/handlers/on-sweep.ts', 'dist/handlers/on-sweep/index.js']);
    roots.push(root);
    expect(handlerCode('on-sweep', join(root, 'lib', 'private'))).toEqual({
      kind: 'source',
      entry: join(root, 'lambda', 'handlers', 'on-sweep.ts'),
    });
  });

  it('names both places it looked when neither exists', () => {
    const root = layout([]);
    roots.push(root);
    expect(() => handlerCode('on-webhook', join(root, 'dist', 'lib', 'private'))).toThrow(
      new RegExp(
        `the Lambda code of on-webhook is missing \\(neither ${join(root, 'dist', 'handlers', 'on-webhook', 'index.js')} nor ${join(root, 'dist', 'lambda', 'handlers', 'on-webhook.ts')} exists\\): reinstall the package`,
      ),
    );
  });
});
