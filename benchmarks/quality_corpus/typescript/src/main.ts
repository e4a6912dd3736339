import { NestFactory } from '@nestjs/core';
import { ValidationPipe } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { ApolloDriver, ApolloDriverConfig } from '@nestjs/apollo';
import { GraphQLModule } from '@nestjs/graphql';
import cookieParser from 'cookie-parser';
import session from 'express-session';
import helmet from 'helmet';
import { doubleCsrf } from 'csrf-csrf';
import { AppModule } from './app.module';
import { AuditInterceptor } from './common/audit.interceptor';

export const graphqlModule = GraphQLModule.forRoot<ApolloDriverConfig>({ driver: ApolloDriver, autoSchemaFile: true, playground: true, includeStacktraceInErrorResponses: true }); // VULN: debug-mode

export const graphqlModuleProd = GraphQLModule.forRoot<ApolloDriverConfig>({ driver: ApolloDriver, autoSchemaFile: true, playground: false, includeStacktraceInErrorResponses: false }); // SAFE: debug-mode

async function bootstrap() {
  const app = await NestFactory.create<NestExpressApplication>(AppModule);
  app.use(helmet());
  app.use(cookieParser('admin-cookie-signing-secret')); // VULN: hardcoded-secret
  app.use(session({ secret: process.env.SESSION_SECRET as string, resave: false, saveUninitialized: false, cookie: { httpOnly: true, secure: true, sameSite: 'lax' } })); // SAFE: hardcoded-secret
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, disableErrorMessages: process.env.NODE_ENV === 'production' }));
  app.useGlobalInterceptors(new AuditInterceptor());

  const { doubleCsrfProtection } = doubleCsrf({ getSecret: () => process.env.CSRF_SECRET as string, cookieName: '__Host-csrf', cookieOptions: { sameSite: 'strict', secure: true } });
  app.use(doubleCsrfProtection); // SAFE: csrf

  app.enableCors({ origin: ['https://app.example.com'], credentials: true });
  await app.listen(Number(process.env.PORT ?? 3000));
}

async function bootstrapAdmin() {
  const admin = await NestFactory.create<NestExpressApplication>(AppModule, { logger: ['error', 'warn'] });
  admin.use(session({ secret: process.env.ADMIN_SESSION_SECRET as string, resave: false, saveUninitialized: false, cookie: { httpOnly: true, secure: true, sameSite: 'none' } })); // VULN: csrf
  await admin.listen(4000);
}

void bootstrap();
void bootstrapAdmin();
