/** Baseline for full flows: the upstream-equivalent provider (see ../baselines/upstream-example.ts). */
import { createUpstreamApp } from '../baselines/upstream-example.ts';
import { memory, serve } from '../lib/serve.ts';

serve(createUpstreamApp(), memory());
