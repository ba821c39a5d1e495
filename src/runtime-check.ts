// Refuses to boot on a Node.js older than the one the stack needs (pg-boss 12 and vitest 5 want 22.12).
// Imported first by every entry point, so it runs before anything that would fail obscurely.

const MINIMUM_NODE_VERSION = '22.12.0';

/** Compares dotted numeric versions; returns true when `actual` is at least `minimum`. */
export function isNodeVersionSupported(actual: string, minimum: string = MINIMUM_NODE_VERSION): boolean {
  const parse = (v: string) =>
    v
      .replace(/^v/, '')
      .split('.')
      .map((part) => Number.parseInt(part, 10) || 0);
  const a = parse(actual);
  const m = parse(minimum);
  for (let i = 0; i < 3; i++) {
    const x = a[i] ?? 0;
    const y = m[i] ?? 0;
    if (x !== y) return x > y;
  }
  return true;
}

if (!isNodeVersionSupported(process.versions.node)) {
  process.stderr.write(
    `docrpc needs Node.js >= ${MINIMUM_NODE_VERSION} (this is ${process.version}); see README "Node.js version".\n`,
  );
  process.exit(1);
}
