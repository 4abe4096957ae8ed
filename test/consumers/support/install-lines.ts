import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const guide = fileURLToPath(new URL('../../../docs/wiring-the-bridge.md', import.meta.url));

/**
 * The `npm install` commands docs/wiring-the-bridge.md gives for one OpenTelemetry line (the
 * section of its install block that names `@opentelemetry/api@<api>`), each as its argument list
 * after `npm`, continuation lines joined. The consumer tests run exactly these.
 */
export function installCommands(api: string): string[][] {
  const text = readFileSync(guide, 'utf8');
  const section = text.split('## Installing, per OpenTelemetry line')[1];
  const block = section === undefined ? undefined : /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  if (block === undefined) throw new Error('docs/wiring-the-bridge.md has no install block');
  const part = block
    .split(/^# OpenTelemetry JS SDK/m)
    .find((p) => p.includes(`@opentelemetry/api@${api} `));
  if (part === undefined) throw new Error(`no install lines with @opentelemetry/api@${api}`);
  const commands = part
    .replace(/\\\n/g, ' ')
    .split('\n')
    .slice(1) // the rest of the `# OpenTelemetry JS SDK …` heading
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => line.split(/\s+/));
  for (const command of commands) {
    if (command[0] !== 'npm' || command[1] !== 'install') {
      throw new Error(`not an npm install line: ${command.join(' ')}`);
    }
  }
  return commands.map((command) => command.slice(1));
}

/** `{ name: version }` of every `@scope/name@version` in the commands. */
export function versionsIn(commands: string[][]): Record<string, string> {
  return Object.fromEntries(
    commands.flat().flatMap((arg) => {
      const m = /^(@[\w-]+\/[\w-]+)@(\d[\w.-]*)$/.exec(arg);
      return m === null ? [] : [[m[1] as string, m[2] as string]];
    }),
  );
}
