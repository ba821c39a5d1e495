// What this build is: name and version from package.json, read once (same relative path from src/ and dist/).
import { readFileSync } from 'node:fs';

const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  name: string;
  version: string;
};

export const appInfo = { name: packageJson.name, version: packageJson.version } as const;
