'use strict';
// A tiny JSON API: a health check and an in-memory list of notes.
const express = require('express');

const app = express();
app.use(express.json());

const notes = [];

app.get('/health', (_req, res) => {
  res.json({ status: 'ok', uptime: process.uptime() });
});

app.get('/notes', (_req, res) => {
  res.json(notes);
});

app.post('/notes', (req, res) => {
  const text = typeof req.body?.text === 'string' ? req.body.text.trim() : '';
  if (!text) return res.status(400).json({ error: 'text is required' });
  const note = { id: notes.length + 1, text, createdAt: new Date().toISOString() };
  notes.push(note);
  return res.status(201).json(note);
});

const port = Number(process.env.PORT) || 3000;
app.listen(port, () => {
  console.log(`node-app listening on port ${port}`);
});
