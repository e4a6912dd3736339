import Koa from 'koa';
import Router from '@koa/router';
import bodyParser from 'koa-bodyparser';
import * as yaml from 'js-yaml';
import serialize from 'node-serialize';
import pino from 'pino';

// Dependencies: koa 2.15, js-yaml 3.14.1, node-serialize 0.0.4, pino 9

const app = new Koa();
const router = new Router();
const logger = pino();

interface CartState {
  items: Array<{ sku: string; qty: number }>;
  coupon?: string;
}

// GET /cart  (cart state is kept client side in a cookie)
router.get('/cart', (ctx) => {
  const raw = ctx.cookies.get('cart') ?? '';
  const cart = raw ? (serialize.unserialize(Buffer.from(raw, 'base64').toString()) as CartState) : { items: [] }; // VULN: deserialization
  ctx.body = cart;
});

// GET /cart/v2
router.get('/cart/v2', (ctx) => {
  const raw = ctx.cookies.get('cart_v2', { signed: true }) ?? '';
  const cart: CartState = raw ? JSON.parse(Buffer.from(raw, 'base64').toString()) : { items: [] }; // SAFE: deserialization
  ctx.body = cart;
});

// POST /cart/import  (YAML export from the desktop app)
router.post('/cart/import', (ctx) => {
  const text = String((ctx.request as unknown as { rawBody: string }).rawBody);
  const cart = yaml.load(text, { schema: yaml.DEFAULT_FULL_SCHEMA }) as CartState; // VULN: deserialization
  ctx.body = { items: cart.items.length };
});

// POST /cart/import/v2
router.post('/cart/import/v2', (ctx) => {
  const text = String((ctx.request as unknown as { rawBody: string }).rawBody);
  const cart = yaml.load(text, { schema: yaml.CORE_SCHEMA }) as CartState; // SAFE: deserialization
  ctx.body = { items: cart.items.length };
});

// POST /cart/legacy  body: "{items: [...]}" (relaxed JSON from the old widget)
router.post('/cart/legacy', (ctx) => {
  const text = String((ctx.request as unknown as { rawBody: string }).rawBody);
  const cart = eval('(' + text + ')') as CartState; // VULN: code-injection
  ctx.body = { items: cart.items.length };
});

// POST /cart/coupon  { code }
router.post('/cart/coupon', (ctx) => {
  const { code } = ctx.request.body as { code: string };
  if (!/^[A-Z0-9]{4,16}$/.test(code)) {
    console.warn(`rejected coupon code ${code} from ${ctx.ip}`); // VULN: log-injection
    logger.warn({ code, ip: ctx.ip }, 'rejected coupon code'); // SAFE: log-injection
    ctx.status = 400;
    return;
  }
  setTimeout(() => logger.info({ code }, 'coupon applied'), 0); // SAFE: code-injection
  ctx.body = { applied: code };
});

app.use(bodyParser({ enableTypes: ['json', 'text'] }));
app.use(router.routes());
app.listen(3001);
