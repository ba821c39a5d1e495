// The app tests/client/browser-upload.test.ts bundles (esbuild, platform browser) and runs in headless Chromium:
// it signs in with @docrpc/client, uploads a Blob with uploadFile (XMLHttpRequest in a browser) recording every
// progress report, lists files, and watches a demo task over the WebSocket. It only reports what it saw; the
// test asserts. Plain data in and out, so page.evaluate can carry both.
import { createDocrpcClient, createTokenStore, type UploadProgress } from '../../client/src/index.js';

export interface BrowserRunInput {
  url: string;
  login: string;
  password: string;
  /** The Blob's size in bytes. */
  size: number;
}

export interface BrowserRunResult {
  progress: UploadProgress[];
  uploaded: { id: string; name: string; size: number };
  listed: { id: string; name: string; size: number }[];
  task: { id: string; states: { status: string; progress: number }[] };
}

export interface BrowserApp {
  run(input: BrowserRunInput): Promise<BrowserRunResult>;
}

async function run(input: BrowserRunInput): Promise<BrowserRunResult> {
  const tokens = createTokenStore();
  const client = createDocrpcClient({ url: input.url, auth: tokens });
  try {
    await client.api.auth.login.mutate({ login: input.login, password: input.password });

    const line = new TextEncoder().encode('Quarterly report, revenue grew.\n');
    const bytes = new Uint8Array(input.size);
    for (let at = 0; at < bytes.length; at += line.length) bytes.set(line.subarray(0, bytes.length - at), at);
    const progress: UploadProgress[] = [];
    const file = await client.uploadFile(new Blob([bytes], { type: 'text/plain' }), {
      name: 'browser.txt',
      onProgress: (p) => progress.push({ ...p }),
    });
    const list = await client.api.file.list.query({ limit: 100 });

    const task = await client.api.task.createDemo.mutate({ steps: 3, stepMs: 20 });
    const states: BrowserRunResult['task']['states'] = [];
    for await (const state of client.watchTask(task.id))
      states.push({ status: state.status, progress: state.progress });

    return {
      progress,
      uploaded: { id: file.id, name: file.name, size: file.size },
      listed: list.items.map((item) => ({ id: item.id, name: item.name, size: item.size })),
      task: { id: task.id, states },
    };
  } finally {
    await client.close();
  }
}

(globalThis as { docrpcTest?: BrowserApp }).docrpcTest = { run };
