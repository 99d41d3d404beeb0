import { createSpinner } from '../../../lambda/cli/spinner';

describe('createSpinner', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('draws frames on the line while running and erases the line when stopped', () => {
    const writes: string[] = [];
    const spinner = createSpinner({ write: (t: string) => writes.push(t) }, true);
    spinner.update('finding the stack…');
    expect(writes).toEqual(['\r\u001b[2K⠋ finding the stack…']);
    jest.advanceTimersByTime(160);
    expect(writes.slice(1)).toEqual(['\r\u001b[2K⠙ finding the stack…', '\r\u001b[2K⠹ finding the stack…']);
    spinner.update('waiting…');
    expect(writes.at(-1)).toBe('\r\u001b[2K⠸ waiting…');
    spinner.stop();
    expect(writes.at(-1)).toBe('\r\u001b[2K');
    const count = writes.length;
    jest.advanceTimersByTime(1_000);
    spinner.stop();
    expect(writes).toHaveLength(count);
  });

  it('writes nothing when disabled', () => {
    const write = jest.fn();
    const spinner = createSpinner({ write }, false);
    spinner.update('x');
    jest.advanceTimersByTime(1_000);
    spinner.stop();
    expect(write).not.toHaveBeenCalled();
  });
});
