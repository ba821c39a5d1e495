// Baseline 2: the bare tRPC router served by the standalone adapter with default options.
import { createHTTPServer } from '@trpc/server/adapters/standalone';
import { bareRouter } from './bare-router.js';
import { serve } from './serve.js';

serve(createHTTPServer({ router: bareRouter, basePath: '/trpc/' }), 'bare-trpc');
