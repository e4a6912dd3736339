import type { APIGatewayProxyEvent, APIGatewayProxyResult, SQSEvent } from 'aws-lambda';
import { Client } from 'pg';
import { execSync, execFileSync } from 'child_process';
import { readFileSync, existsSync } from 'fs';
import * as path from 'path';
import axios from 'axios';

const REPORT_ROOT = '/mnt/efs/reports';

function ok(body: unknown): APIGatewayProxyResult {
  return { statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) };
}

async function client(): Promise<Client> {
  const c = new Client({ connectionString: process.env.REPORTS_DB_URL });
  await c.connect();
  return c;
}

// GET /reports?team=payments&month=2024-05
export const listReports = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  const team = event.queryStringParameters?.team ?? 'all';
  const month = event.queryStringParameters?.month ?? '';
  const db = await client();
  const res = await db.query(`SELECT id, title FROM reports WHERE team = '${team}' AND month = '${month}'`); // VULN: sql-injection
  await db.end();
  return ok(res.rows);
};

// GET /reports/{id}
export const getReport = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  const db = await client();
  const res = await db.query({ text: 'SELECT * FROM reports WHERE id = $1', values: [event.pathParameters?.id] }); // SAFE: sql-injection
  await db.end();
  return ok(res.rows[0] ?? null);
};

// GET /reports/file?name=payments/2024-05.csv
export const downloadReport = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  const name = event.queryStringParameters?.name ?? '';
  const body = readFileSync(`${REPORT_ROOT}/${name}`, 'utf8'); // VULN: path-traversal
  return { statusCode: 200, headers: { 'Content-Type': 'text/csv' }, body };
};

// GET /reports/file/v2?name=payments/2024-05.csv
export const downloadReportV2 = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  const requested = path.resolve(REPORT_ROOT, event.queryStringParameters?.name ?? '');
  const relative = path.relative(REPORT_ROOT, requested);
  if (relative.startsWith('..') || path.isAbsolute(relative) || !existsSync(requested)) {
    return { statusCode: 404, body: '' };
  }
  return { statusCode: 200, headers: { 'Content-Type': 'text/csv' }, body: readFileSync(requested, 'utf8') }; // SAFE: path-traversal
};

// POST /reports/render  { "reportId": "...", "paperSize": "A4" }
export const renderPdf = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  const { reportId, paperSize } = JSON.parse(event.body ?? '{}');
  execSync(`wkhtmltopdf --page-size ${paperSize} /tmp/${reportId}.html /tmp/${reportId}.pdf`); // VULN: command-injection
  return ok({ pdf: `/tmp/${reportId}.pdf` });
};

// POST /reports/render/v2
export const renderPdfV2 = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  const { reportId, paperSize } = JSON.parse(event.body ?? '{}');
  if (!/^[0-9a-f-]{36}$/.test(reportId) || !['A4', 'Letter'].includes(paperSize)) return { statusCode: 400, body: '' };
  execFileSync('wkhtmltopdf', ['--page-size', paperSize, `/tmp/${reportId}.html`, `/tmp/${reportId}.pdf`]); // SAFE: command-injection
  return ok({ pdf: `/tmp/${reportId}.pdf` });
};

// SQS consumer: messages are produced by the public "schedule report" endpoint.
export const deliverScheduled = async (event: SQSEvent): Promise<void> => {
  for (const record of event.Records) {
    const job = JSON.parse(record.body) as { webhookUrl: string; reportId: string };
    await axios.post(job.webhookUrl, { reportId: job.reportId }, { timeout: 5000 }); // VULN: ssrf
  }
};

// POST /reports/share  { "channel": "C123", "reportId": "..." }
export const shareToSlack = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  const { channel, reportId } = JSON.parse(event.body ?? '{}');
  await axios.post('https://slack.com/api/chat.postMessage', { channel, text: `New report: ${reportId}` }, { headers: { Authorization: `Bearer ${process.env.SLACK_BOT_TOKEN}` } }); // SAFE: ssrf
  return ok({ shared: true });
};
