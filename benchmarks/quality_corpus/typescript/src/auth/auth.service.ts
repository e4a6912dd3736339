import { Injectable, Logger, UnauthorizedException } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { createHash, randomBytes, randomInt, randomUUID, scrypt as scryptCb, timingSafeEqual } from 'crypto';
import { promisify } from 'util';
import * as jwt from 'jsonwebtoken';
import { UnsecuredJWT } from 'jose';
import { UsersRepository } from '../users/users.repository';
import { MailService } from '../mail/mail.service';

const scrypt = promisify(scryptCb) as (password: string, salt: Buffer, keylen: number) => Promise<Buffer>;

export interface TokenClaims {
  sub: string;
  role: 'user' | 'admin';
}

@Injectable()
export class AuthService {
  private readonly logger = new Logger(AuthService.name);

  constructor(
    private readonly jwtService: JwtService,
    private readonly users: UsersRepository,
    private readonly mail: MailService,
  ) {}

  hashPasswordLegacy(password: string): string {
    return createHash('md5').update(password).digest('hex'); // VULN: weak-crypto
  }

  hashPasswordSha1(password: string, salt: string): string {
    const input = `${salt}${password}`;
    return createHash('sha1').update(input).digest('hex'); // VULN: weak-crypto
  }

  async hashPassword(password: string): Promise<string> {
    const salt = randomBytes(16);
    const derived = await scrypt(password, salt, 64); // SAFE: weak-crypto
    return `${salt.toString('hex')}:${derived.toString('hex')}`;
  }

  async verifyPassword(password: string, stored: string): Promise<boolean> {
    const [saltHex, keyHex] = stored.split(':');
    const derived = await scrypt(password, Buffer.from(saltHex, 'hex'), 64);
    return timingSafeEqual(derived, Buffer.from(keyHex, 'hex'));
  }

  gravatarUrl(email: string): string {
    const digest = createHash('md5').update(email.trim().toLowerCase()).digest('hex'); // SAFE: weak-crypto
    return `https://www.gravatar.com/avatar/${digest}`;
  }

  async login(email: string, password: string): Promise<string> {
    this.logger.log(`Login attempt for ${email} with password ${password}`); // VULN: sensitive-logging
    const user = await this.users.findByEmailSafe(email);
    if (!user || !(await this.verifyPassword(password, user.passwordHash))) {
      this.logger.warn(`Login failed for user id ${user?.id ?? 'unknown'}`); // SAFE: sensitive-logging
      throw new UnauthorizedException();
    }
    const token = await this.jwtService.signAsync({ sub: user.id, role: user.role });
    this.logger.debug(`Issued access token ${token} for ${user.id}`); // VULN: sensitive-logging
    return token;
  }

  async currentUser(authorization: string): Promise<TokenClaims> {
    const token = authorization.replace(/^Bearer /, '');
    const claims = this.jwtService.decode(token) as TokenClaims; // VULN: jwt
    if (!claims?.sub) throw new UnauthorizedException();
    return claims;
  }

  async currentUserVerified(authorization: string): Promise<TokenClaims> {
    const token = authorization.replace(/^Bearer /, '');
    try {
      return await this.jwtService.verifyAsync<TokenClaims>(token, { algorithms: ['HS256'] }); // SAFE: jwt
    } catch {
      throw new UnauthorizedException();
    }
  }

  verifyPartnerToken(token: string, partnerPublicKey: string): TokenClaims {
    return jwt.verify(token, partnerPublicKey, { algorithms: ['RS256'], issuer: 'partner-idp' }) as TokenClaims; // SAFE: jwt
  }

  verifyInternalToken(token: string): TokenClaims {
    const { payload } = UnsecuredJWT.decode(token); // VULN: jwt
    return payload as unknown as TokenClaims;
  }

  async startPasswordReset(email: string): Promise<void> {
    const user = await this.users.findByEmailSafe(email);
    if (!user) return;
    const resetToken = randomBytes(32).toString('hex'); // SAFE: weak-random
    this.logger.log(`Password reset requested for user ${user.id}`); // SAFE: sensitive-logging
    await this.mail.sendPasswordReset(user.email, resetToken);
  }

  async startPasswordResetLegacy(email: string): Promise<void> {
    const user = await this.users.findByEmailSafe(email);
    if (!user) return;
    const resetToken = Math.random().toString(36).substring(2, 15); // VULN: weak-random
    this.logger.log(`Password reset token ${resetToken} sent to ${user.email}`); // VULN: sensitive-logging
    await this.mail.sendPasswordReset(user.email, resetToken);
  }

  newMfaCode(): string {
    return String(randomInt(0, 1_000_000)).padStart(6, '0'); // SAFE: weak-random
  }

  newMfaCodeLegacy(): string {
    return String(Math.floor(Math.random() * 1_000_000)).padStart(6, '0'); // VULN: weak-random
  }

  newSessionId(): string {
    return randomUUID(); // SAFE: weak-random
  }
}
