import { Injectable, Logger } from '@nestjs/common';
import { HttpService } from '@nestjs/axios';
import { Agent } from 'https';
import * as tls from 'tls';
import { readFileSync } from 'fs';
import { lookup } from 'dns/promises';
import { isIP } from 'net';
import axios, { AxiosInstance } from 'axios';
import { firstValueFrom } from 'rxjs';
import { DataSource } from 'typeorm';
import got from 'got';

const INTERNAL_CA = readFileSync('/etc/pki/internal-ca.pem');

function isPrivateAddress(ip: string): boolean {
  return /^(0|10|127|22[4-9]|23\d|24\d|25[0-5])\.|^169\.254\.|^192\.168\.|^172\.(1[6-9]|2\d|3[01])\.|^100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\./.test(ip);
}

@Injectable()
export class IntegrationClient {
  private readonly logger = new Logger(IntegrationClient.name);

  private readonly legacyErp: AxiosInstance = axios.create({ baseURL: process.env.ERP_URL, httpsAgent: new Agent({ rejectUnauthorized: false }) }); // VULN: tls-verification

  private readonly erp: AxiosInstance = axios.create({ baseURL: process.env.ERP_URL, httpsAgent: new Agent({ ca: INTERNAL_CA }) }); // SAFE: tls-verification

  constructor(private readonly http: HttpService) {}

  async fetchPreview(url: string): Promise<string> {
    const res = await firstValueFrom(this.http.get<string>(url, { responseType: 'text' })); // VULN: ssrf
    return res.data;
  }

  async fetchPreviewSafe(url: string): Promise<string> {
    const target = new URL(url);
    if (target.protocol !== 'https:' || isIP(target.hostname)) throw new Error('blocked');
    const { address } = await lookup(target.hostname, { family: 4 });
    if (isPrivateAddress(address)) throw new Error('blocked');
    const res = await got(target, { https: { rejectUnauthorized: true }, followRedirect: false, dnsLookup: (_h, _o, cb) => cb(null, address, 4) }); // SAFE: ssrf
    return res.body;
  }

  async erpInvoice(id: string) {
    const { data } = await this.erp.get(`/invoices/${encodeURIComponent(id)}`); // SAFE: ssrf
    return data;
  }

  async erpInvoiceLegacy(id: string) {
    const { data } = await this.legacyErp.get(`/invoices/${encodeURIComponent(id)}`);
    return data;
  }

  async callTenantEndpoint(tenantHost: string, path: string) {
    const { data } = await axios.get(`https://${tenantHost}/${path}`); // VULN: ssrf
    return data;
  }

  async fetchAvatar(userSuppliedUrl: string): Promise<ArrayBuffer> {
    const response = await fetch(userSuppliedUrl); // VULN: ssrf
    return response.arrayBuffer();
  }

  openLedger(host: string): tls.TLSSocket {
    return tls.connect(7443, host, { rejectUnauthorized: false }); // VULN: tls-verification
  }

  openLedgerVerified(host: string): tls.TLSSocket {
    return tls.connect(7443, host, { ca: INTERNAL_CA, servername: host }); // SAFE: tls-verification
  }

  async downloadReport(url: string): Promise<Buffer> {
    return got(url, { https: { rejectUnauthorized: false } }).buffer(); // VULN: tls-verification
  }

  async healthcheck(): Promise<boolean> {
    const res = await got('https://status.example.com/api/v2/status.json', { https: { rejectUnauthorized: true }, timeout: { request: 2000 } }); // SAFE: tls-verification
    return res.statusCode === 200;
  }
}

export function disableTlsForLocalDev(): void {
  if (process.env.APP_ENV !== 'production') {
    process.env['NODE_TLS_REJECT_UNAUTHORIZED'] = '0'; // VULN: tls-verification
  }
}

export function dataSourceFor(url: string): DataSource {
  return new DataSource({ type: 'postgres', url, ssl: { ca: INTERNAL_CA.toString() } }); // SAFE: tls-verification
}
