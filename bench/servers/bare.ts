/** Baseline for `GET /api/me`: a bare Express 5 route returning the same JSON, with nothing around it. */
import express from 'express';
import { serve } from '../lib/serve.ts';

const app = express();
app.get('/api/me', (_req, res) => {
  res.json({ sub: 'user1', username: 'demo' });
});

serve(app);
