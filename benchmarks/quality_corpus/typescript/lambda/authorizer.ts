import type { APIGatewayTokenAuthorizerEvent, APIGatewayAuthorizerResult } from 'aws-lambda';
import { jwtDecode } from 'jwt-decode';
import * as jwt from 'jsonwebtoken';
import { createRemoteJWKSet, jwtVerify } from 'jose';

const JWKS = createRemoteJWKSet(new URL(`${process.env.ISSUER_URL}/.well-known/jwks.json`));
const PARTNER_PUBLIC_KEY = process.env.PARTNER_PUBLIC_KEY as string;
const LEGACY_SECRET = process.env.LEGACY_JWT_SECRET as string;

interface Claims {
  sub: string;
  scope?: string;
}

function policy(principalId: string, effect: 'Allow' | 'Deny', resource: string): APIGatewayAuthorizerResult {
  return { principalId, policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }] } };
}

const bearer = (event: APIGatewayTokenAuthorizerEvent) => event.authorizationToken.replace(/^Bearer\s+/i, '');

// Authorizer for the mobile API (v1).
export const mobileAuthorizer = async (event: APIGatewayTokenAuthorizerEvent) => {
  const claims = jwtDecode<Claims>(bearer(event)); // VULN: jwt
  return policy(claims.sub, claims.scope?.includes('mobile') ? 'Allow' : 'Deny', event.methodArn);
};

// Authorizer for the mobile API (v2).
export const mobileAuthorizerV2 = async (event: APIGatewayTokenAuthorizerEvent) => {
  try {
    const { payload } = await jwtVerify(bearer(event), JWKS, { issuer: process.env.ISSUER_URL, audience: 'mobile-api', algorithms: ['RS256'] }); // SAFE: jwt
    return policy(String(payload.sub), 'Allow', event.methodArn);
  } catch {
    return policy('anonymous', 'Deny', event.methodArn);
  }
};

// Partner integrations sign their tokens with RS256.
export const partnerAuthorizer = async (event: APIGatewayTokenAuthorizerEvent) => {
  try {
    const claims = jwt.verify(bearer(event), PARTNER_PUBLIC_KEY, { algorithms: ['RS256'], audience: 'partner-api' }) as Claims; // SAFE: jwt
    return policy(claims.sub, 'Allow', event.methodArn);
  } catch {
    return policy('anonymous', 'Deny', event.methodArn);
  }
};

// Legacy web tokens; some old clients send expired or re-signed tokens, so fall back to the payload.
export const legacyAuthorizer = async (event: APIGatewayTokenAuthorizerEvent) => {
  const token = bearer(event);
  const claims = await new Promise<Claims>((resolve) => {
    jwt.verify(token, LEGACY_SECRET, { algorithms: ['HS256'] }, (_err, verified) => resolve((verified ?? jwt.decode(token)) as Claims)); // VULN: jwt
  });
  return policy(claims.sub, 'Allow', event.methodArn);
};

// Internal tools pass the token through a proxy that already terminated TLS.
export const internalAuthorizer = async (event: APIGatewayTokenAuthorizerEvent) => {
  const [, payloadPart] = bearer(event).split('.');
  const claims = JSON.parse(Buffer.from(payloadPart, 'base64url').toString('utf8')) as Claims; // VULN: jwt
  return policy(claims.sub, claims.scope === 'internal' ? 'Allow' : 'Deny', event.methodArn);
};
