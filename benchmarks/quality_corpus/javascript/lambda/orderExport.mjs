// AWS Lambda (Node.js 20, API Gateway proxy integration)
import { S3Client, GetObjectCommand } from '@aws-sdk/client-s3';
import mysql from 'mysql2/promise';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import vm from 'node:vm';

const s3 = new S3Client({});
const TEMPLATE_DIR = '/opt/templates';
let pool;

function db() {
  pool ??= mysql.createPool({ host: process.env.DB_HOST, user: process.env.DB_USER, password: process.env.DB_PASSWORD, database: 'orders' });
  return pool;
}

const json = (statusCode, body) => ({ statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

// GET /exports?customer=acme&from=2024-01-01
export async function listExports(event) {
  const { customer, from } = event.queryStringParameters || {};
  console.log('listExports customer=' + customer + ' from=' + from);
  const [rows] = await db().query(`SELECT id, created_at FROM exports WHERE customer = '${customer}' AND created_at >= '${from}'`); // VULN: sql-injection
  return json(200, rows);
}

// GET /exports/{id}
export async function getExport(event) {
  const id = event.pathParameters.id;
  console.log(JSON.stringify({ msg: 'getExport', id })); // SAFE: log-injection
  const [rows] = await db().execute('SELECT id, s3_key FROM exports WHERE id = ?', [id]); // SAFE: sql-injection
  if (!rows.length) return json(404, { error: 'not found' });
  const obj = await s3.send(new GetObjectCommand({ Bucket: process.env.EXPORT_BUCKET, Key: rows[0].s3_key }));
  return { statusCode: 200, body: await obj.Body.transformToString() };
}

// POST /exports/preview  { template: "invoice.html", columns: [...] }
export async function previewExport(event) {
  const body = JSON.parse(event.body || '{}'); // SAFE: code-injection
  const html = await readFile(path.join(TEMPLATE_DIR, body.template), 'utf8'); // VULN: path-traversal
  return { statusCode: 200, headers: { 'content-type': 'text/plain' }, body: html };
}

// POST /exports/preview/v2
export async function previewExportV2(event) {
  const body = JSON.parse(event.body || '{}');
  const name = path.basename(String(body.template || 'default.html'));
  const html = await readFile(path.join(TEMPLATE_DIR, name), 'utf8'); // SAFE: path-traversal
  return { statusCode: 200, headers: { 'content-type': 'text/plain' }, body: html };
}

// POST /exports/computed-column  { formula: "row.qty * row.price" }
export async function computedColumn(event) {
  const { formula, rows } = JSON.parse(event.body);
  const values = rows.map((row) => vm.runInNewContext(formula, { row })); // VULN: code-injection
  return json(200, { values });
}

// POST /exports/notify  { callbackUrl }
export async function notify(event) {
  const { callbackUrl, exportId } = JSON.parse(event.body);
  await fetch(callbackUrl, { method: 'POST', body: JSON.stringify({ exportId }) }); // VULN: ssrf
  return json(202, { queued: true });
}
