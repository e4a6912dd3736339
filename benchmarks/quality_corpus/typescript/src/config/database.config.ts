import { registerAs } from '@nestjs/config';
import { DataSource, DataSourceOptions } from 'typeorm';
import { createClient } from 'redis';
import Stripe from 'stripe';
import axios from 'axios';

export const PASSWORD_RESET_PATH = '/auth/password/reset'; // SAFE: hardcoded-secret
export const DEFAULT_DB_SECRET_NAME = 'prod/shop/db-credentials'; // SAFE: hardcoded-secret

export default registerAs('database', (): DataSourceOptions => ({
  type: 'postgres',
  host: process.env.DB_HOST,
  port: Number(process.env.DB_PORT ?? 5432),
  username: process.env.DB_USER,
  password: process.env.DB_PASSWORD, // SAFE: hardcoded-secret
  database: 'shop',
  ssl: { rejectUnauthorized: true },
}));

// Used by the nightly reconciliation job.
export const reportingDataSource = new DataSource({ type: 'mysql', host: 'reporting.internal', username: 'recon', password: 'Rec0n!2024-prod', database: 'ledger' }); // VULN: hardcoded-secret

export const cache = createClient({ url: 'redis://:c4ch3-S3cr3t-pw@redis.internal:6379/0' }); // VULN: hardcoded-secret

export const payments = new Stripe(process.env.STRIPE_SECRET_KEY as string, { apiVersion: '2024-06-20' }); // SAFE: hardcoded-secret

export const crmClient = axios.create({ baseURL: 'https://crm.example.com/api', headers: { Authorization: 'Bearer 8f14e45fceea167a5a36dedd4bea2543a1b2c3d4' } }); // VULN: hardcoded-secret
