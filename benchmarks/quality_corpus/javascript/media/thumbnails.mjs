import { execFile, exec } from 'node:child_process';
import { promisify } from 'node:util';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import os from 'node:os';
import Koa from 'koa';
import Router from '@koa/router';
import { koaBody } from 'koa-body';

const execFileAsync = promisify(execFile);
const execAsync = promisify(exec);

const app = new Koa();
const router = new Router();

const SIZES = { small: '128x128', medium: '512x512', large: '1024x1024' };

async function makeThumbnail(sourcePath, size) {
  const outPath = path.join(os.tmpdir(), `${randomUUID()}.png`);
  await execFileAsync('convert', [sourcePath, '-resize', size, outPath]); // SAFE: command-injection
  return outPath;
}

router.post('/thumbnails', koaBody({ multipart: true }), async (ctx) => {
  const upload = ctx.request.files.image;
  const size = SIZES[ctx.request.body.size] || SIZES.small;
  // upload.filepath is a random temp path chosen by formidable
  ctx.body = { path: await makeThumbnail(upload.filepath, size) };
});

router.post('/thumbnails/watermark', koaBody({ multipart: true }), async (ctx) => {
  const upload = ctx.request.files.image;
  const text = ctx.request.body.caption;
  const outPath = path.join(os.tmpdir(), `${randomUUID()}.png`);
  await execAsync(`convert ${upload.filepath} -gravity south -annotate +0+10 "${text}" ${outPath}`); // VULN: command-injection
  ctx.body = { path: outPath };
});

router.get('/media/probe', async (ctx) => {
  const url = ctx.query.source;
  const { stdout } = await execAsync('ffprobe -v quiet -print_format json -show_format ' + url); // VULN: command-injection
  ctx.body = JSON.parse(stdout);
});

router.get('/media/version', async (ctx) => {
  const { stdout } = await execAsync('ffmpeg -version'); // SAFE: command-injection
  ctx.body = stdout.split('\n')[0];
});

app.use(router.routes());
export default app;
