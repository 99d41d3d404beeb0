import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { endQuietlyOnBrokenPipe } from '../../../lambda/cli/process';

const repo = join(__dirname, '../../..');

describe('endQuietlyOnBrokenPipe', () => {
  it('ends the process with its exit code so far when the reader of stdout or stderr goes away', () => {
    for (const name of ['stdout', 'stderr'] as const) {
      const streams = { stdout: new EventEmitter(), stderr: new EventEmitter() };
      const exits: number[] = [];
      endQuietlyOnBrokenPipe(streams, (code) => exits.push(code));
      streams[name].emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      expect({ name, exits }).toEqual({ name, exits: [0] });
    }
  });

  it('keeps every other stream error fatal', () => {
    const streams = { stdout: new EventEmitter(), stderr: new EventEmitter() };
    endQuietlyOnBrokenPipe(streams, () => undefined);
    const error = Object.assign(new Error('write EIO'), { code: 'EIO' });
    expect(() => streams.stdout.emit('error', error)).toThrow(error);
  });
});

describe('bin/watchdog.js writing into a closed pipe (`watchdog ... | head -1`)', () => {
  it('exits 0 without a stack trace', async () => {
    // The reader is gone before the CLI writes a byte: every write fails with EPIPE.
    const child = spawn(process.execPath, [join(repo, 'bin/watchdog.js'), 'simulate', '--help'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  });
});
