// Writes the upload benchmark's source file: plain ASCII text lines (docrpc sniffs content), never all in memory.
import { createHash } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';

const BLOCK = 1024 * 1024;
const LINE = 64;

/** One 1 MiB block of 64-byte lines; the block number is patched into its first line so blocks differ. */
function templateBlock(): Buffer {
  const block = Buffer.alloc(BLOCK);
  const filler = 'the quick brown fox jumps over the lazy dog 0123456789 ';
  for (let i = 0; i < BLOCK / LINE; i++) {
    const head = `line ${String(i).padStart(5, '0')} `;
    block.write(`${head}${filler}`.slice(0, LINE - 1), i * LINE, 'ascii');
    block[i * LINE + LINE - 1] = 0x0a;
  }
  return block;
}

/** Writes `mib` MiB to path and returns the sha256 of what was written (docrpc reports it back). */
export function writeAsciiFile(path: string, mib: number): { bytes: number; sha256: string } {
  const block = templateBlock();
  const hash = createHash('sha256');
  const fd = openSync(path, 'w', 0o644);
  try {
    for (let b = 0; b < mib; b++) {
      block.write(`block ${String(b).padStart(9, '0')}`, 0, 'ascii');
      writeSync(fd, block);
      hash.update(block);
    }
  } finally {
    closeSync(fd);
  }
  return { bytes: mib * BLOCK, sha256: hash.digest('hex') };
}
