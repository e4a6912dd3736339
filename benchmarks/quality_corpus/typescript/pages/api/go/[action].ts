import type { NextApiRequest, NextApiResponse } from 'next';
import { getSession } from '../../../lib/session';

const PARTNER_DOMAINS = ['partner-one.com', 'partner-two.io'];

// GET /api/go/out?to=https://partner-one.com/offer
function out(req: NextApiRequest, res: NextApiResponse) {
  const to = Array.isArray(req.query.to) ? req.query.to[0] : req.query.to;
  res.redirect(307, to ?? '/'); // VULN: open-redirect
}

// GET /api/go/partner?to=https://partner-one.com/offer
function partner(req: NextApiRequest, res: NextApiResponse) {
  let dest = '/';
  try {
    const u = new URL(String(req.query.to));
    if (u.protocol === 'https:' && PARTNER_DOMAINS.some((d) => u.hostname === d || u.hostname.endsWith(`.${d}`))) dest = u.toString();
  } catch {
    dest = '/';
  }
  res.redirect(307, dest); // SAFE: open-redirect
}

// GET /api/go/after-login?returnUrl=/account
async function afterLogin(req: NextApiRequest, res: NextApiResponse) {
  const session = await getSession(req);
  const returnUrl = String(req.query.returnUrl || session.lastPage || '/');
  res.setHeader('Location', returnUrl); // VULN: open-redirect
  res.status(302).end();
}

// GET /api/go/greeting?name=Ana
function greeting(req: NextApiRequest, res: NextApiResponse) {
  res.setHeader('Content-Type', 'text/html');
  res.status(200).send('<p>Welcome back, ' + req.query.name + '!</p>'); // VULN: xss
}

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  switch (req.query.action) {
    case 'out':
      return out(req, res);
    case 'partner':
      return partner(req, res);
    case 'after-login':
      return afterLogin(req, res);
    case 'greeting':
      return greeting(req, res);
    default:
      return res.status(404).end();
  }
}
