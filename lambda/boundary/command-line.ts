/** A command's command-line interface: enough to parse its arguments and to print its `--help`. */
export interface CommandSpec {
  readonly name: string;
  /** One line, for the command list. */
  readonly summary: string;
  /** Paragraphs after the usage line. */
  readonly description: readonly string[];
  readonly positionals: readonly PositionalSpec[];
  readonly options: readonly OptionSpec[];
  readonly examples: readonly string[];
}

export interface PositionalSpec {
  readonly name: string;
  readonly required: boolean;
  readonly description: string;
}

export interface OptionSpec {
  /** Without the dashes: `json` for `--json`. */
  readonly name: string;
  /** Present for options that take a value (`--reason <text>`); absent for switches. */
  readonly value?: string;
  /** Shown without brackets in the usage line; the command itself checks that it is there. */
  readonly required?: boolean;
  readonly description: string;
}

export interface ParsedArgs {
  readonly help: boolean;
  readonly positionals: readonly string[];
  /** Switches map to true; valued options to their value. */
  readonly options: Readonly<Record<string, string | true>>;
}

export type ParseResult = { ok: true; args: ParsedArgs } | { ok: false; problem: string };

/**
 * Parses `argv` against `spec`: `--name`, `--name value`, `--name=value`, `-h`/`--help`, and `--` to end
 * options. Unknown options, missing values and wrong numbers of positionals are problems, never ignored.
 */
export function parseArgs(argv: readonly string[], spec: CommandSpec): ParseResult {
  const positionals: string[] = [];
  const options: Record<string, string | true> = {};
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '-h' || arg === '--help') {
      help = true;
      continue;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(arg.startsWith('--') ? 2 : 1, eq === -1 ? undefined : eq);
    const option = spec.options.find((o) => o.name === name);
    if (!option || !arg.startsWith('--')) {
      const known = spec.options.map((o) => `--${o.name}`).concat('--help');
      return {
        ok: false,
        problem: `unknown option ${eq === -1 ? arg : arg.slice(0, eq)}; valid options: ${known.join(', ')}`,
      };
    }
    if (option.value === undefined) {
      if (eq !== -1) return { ok: false, problem: `--${name} takes no value` };
      options[name] = true;
    } else if (eq !== -1) {
      options[name] = arg.slice(eq + 1);
    } else {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith('--'))
        return { ok: false, problem: `--${name} needs a value: --${name} ${option.value}` };
      options[name] = value;
      i += 1;
    }
  }
  if (help) return { ok: true, args: { help, positionals, options } };
  const required = spec.positionals.filter((p) => p.required).length;
  if (positionals.length < required) {
    const missing = spec.positionals
      .slice(positionals.length)
      .filter((p) => p.required)
      .map((p) => `<${p.name}>`);
    return { ok: false, problem: `missing ${missing.join(' ')}` };
  }
  if (positionals.length > spec.positionals.length) {
    return {
      ok: false,
      problem: `unexpected argument ${JSON.stringify(positionals[spec.positionals.length])}`,
    };
  }
  return { ok: true, args: { help, positionals, options } };
}

export function usageLine(spec: CommandSpec): string {
  const positionals = spec.positionals.map((p) => (p.required ? `<${p.name}>` : `[${p.name}]`));
  const options = spec.options.map((o) => {
    const text = `--${o.name}${o.value ? ` ${o.value}` : ''}`;
    return o.required === true ? text : `[${text}]`;
  });
  return ['watchdog', spec.name, ...positionals, ...options].join(' ');
}

/** The full `--help` text of a command. */
export function commandHelp(spec: CommandSpec, exitCodes: readonly string[]): string {
  const lines = [`Usage: ${usageLine(spec)}`, '', spec.summary];
  for (const paragraph of spec.description) lines.push('', paragraph);
  const rows: [string, string][] = [
    ...spec.positionals.map((p): [string, string] => [
      p.required ? `<${p.name}>` : `[${p.name}]`,
      p.description,
    ]),
    ...spec.options.map((o): [string, string] => [
      `--${o.name}${o.value ? ` ${o.value}` : ''}`,
      o.description,
    ]),
    ['-h, --help', 'Show this help.'],
  ];
  const width = Math.max(...rows.map(([left]) => left.length));
  lines.push(
    '',
    'Arguments and options:',
    ...rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`),
  );
  lines.push('', 'Exit codes:', ...exitCodes.map((c) => `  ${c}`));
  if (spec.examples.length > 0) lines.push('', 'Examples:', ...spec.examples.map((e) => `  ${e}`));
  return `${lines.join('\n')}\n`;
}
