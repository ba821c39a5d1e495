// CLI: `tsx bench/profile-summary.ts <file.cpuprofile | dir> [top]` prints where a CPU profile spent its time.
import { summarizeFile } from './lib/cpuprofile.js';

const [path, top] = process.argv.slice(2);
if (!path) {
  console.error('usage: tsx bench/profile-summary.ts <file.cpuprofile | dir> [top]');
  process.exit(2);
}
console.log(summarizeFile(path, Number(top ?? '25')));
