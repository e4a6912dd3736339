import { CallHandler, ExecutionContext, Injectable, Logger, NestInterceptor } from '@nestjs/common';
import { Request } from 'express';
import { appendFile } from 'fs/promises';
import { Observable, tap } from 'rxjs';
import pino from 'pino';
import * as winston from 'winston';

const structured = pino({ level: 'info', redact: ['req.headers.authorization', 'req.headers.cookie', 'body.password', 'body.cardNumber', 'body.cvc'] });

const plain = winston.createLogger({
  format: winston.format.combine(winston.format.timestamp(), winston.format.printf((i) => `${i.timestamp} [${i.level}] ${i.message}`)),
  transports: [new winston.transports.File({ filename: '/var/log/api/access.log' })],
});

function oneLine(value: unknown): string {
  return String(value).replace(/[\r\n]+/g, '\\n');
}

@Injectable()
export class AuditInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Audit');

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<Request>();
    const started = Date.now();
    plain.info(`${req.method} ${req.path} search=${req.query.q ?? ''}`); // VULN: log-injection
    plain.info(`${req.method} ${req.path} search=${oneLine(req.query.q ?? '')}`); // SAFE: log-injection
    structured.info({ method: req.method, path: req.path, search: req.query.q }, 'request'); // SAFE: log-injection
    return next.handle().pipe(tap(() => this.logger.log(`${req.method} ${req.path} ${Date.now() - started}ms`)));
  }
}

@Injectable()
export class PaymentsAuditor {
  private readonly logger = new Logger(PaymentsAuditor.name);

  recordCharge(req: Request, body: { cardNumber: string; cvc: string; amount: number; note?: string }) {
    this.logger.log(`charge amount=${body.amount} card=${body.cardNumber} cvc=${body.cvc}`); // VULN: sensitive-logging
    this.logger.log(`charge amount=${body.amount} card=****${body.cardNumber.slice(-4)}`); // SAFE: sensitive-logging
    structured.info({ body, req: { headers: req.headers } }, 'charge request'); // SAFE: sensitive-logging
    this.logger.log(`charge note: ${body.note}`); // VULN: log-injection
  }

  recordRefund(req: Request, refundId: string) {
    this.logger.verbose(`refund ${refundId} requested, headers=${JSON.stringify(req.headers)}`); // VULN: sensitive-logging
    this.logger.log(`refund ${oneLine(refundId)} requested`); // SAFE: log-injection
  }

  // Called with the raw request body, before the provider signature is checked.
  async recordWebhook(event: { type: string; id: string }) {
    await appendFile('/var/log/api/webhooks.log', `${new Date().toISOString()} ${event.type} ${event.id}\n`); // VULN: log-injection
    console.log('webhook received', JSON.stringify({ id: event.id, type: event.type })); // SAFE: sensitive-logging
  }

  recordApiKeyUse(apiKey: string, route: string) {
    console.info(`api key ${apiKey} used on ${route}`); // VULN: sensitive-logging
  }
}
