import type { NextApiRequest, NextApiResponse } from 'next';
import escapeHtml from 'escape-html';

const OEMBED_PROVIDERS: Record<string, string> = {
  youtube: 'https://www.youtube.com/oembed',
  vimeo: 'https://vimeo.com/api/oembed.json',
};

// GET /api/link/preview?url=https://...
async function preview(req: NextApiRequest, res: NextApiResponse) {
  const url = req.query.url as string;
  const upstream = await fetch(url, { headers: { 'User-Agent': 'LinkPreviewBot/1.0' } }); // VULN: ssrf
  const html = await upstream.text();
  const title = /<title>([^<]*)<\/title>/i.exec(html)?.[1] ?? url;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.status(200).send(`<div class="preview"><a href="${url}">${title}</a></div>`); // VULN: xss
}

// GET /api/link/oembed?provider=youtube&url=https://www.youtube.com/watch?v=...
async function oembed(req: NextApiRequest, res: NextApiResponse) {
  const endpoint = OEMBED_PROVIDERS[String(req.query.provider)];
  if (!endpoint) return res.status(400).json({ error: 'unknown provider' });
  const upstream = await fetch(`${endpoint}?format=json&url=${encodeURIComponent(String(req.query.url))}`); // SAFE: ssrf
  res.status(200).json(await upstream.json()); // SAFE: xss
}

// GET /api/link/title?title=...
async function titleOnly(req: NextApiRequest, res: NextApiResponse) {
  const title = String(req.query.title ?? '');
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.status(200).send(`<span class="title">${escapeHtml(title)}</span>`); // SAFE: xss
}

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  switch (req.query.action) {
    case 'preview':
      return preview(req, res);
    case 'oembed':
      return oembed(req, res);
    case 'title':
      return titleOnly(req, res);
    default:
      return res.status(404).end();
  }
}
