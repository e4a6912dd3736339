import { Body, Controller, Get, Headers, Post, Query, Redirect, Res, UseGuards } from '@nestjs/common';
import { Response } from 'express';
import { AuthService } from './auth.service';
import { SessionGuard } from './session.guard';

const SSO_ALLOWED_RETURN_HOSTS = new Set(['app.example.com', 'admin.example.com']);

class LoginDto {
  email!: string;
  password!: string;
}

@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('login')
  async login(@Body() dto: LoginDto) {
    return { accessToken: await this.auth.login(dto.email, dto.password) };
  }

  @Get('me')
  async me(@Headers('authorization') authorization: string) {
    return this.auth.currentUser(authorization);
  }

  @Get('me/v2')
  async meVerified(@Headers('authorization') authorization: string) {
    return this.auth.currentUserVerified(authorization);
  }

  @Get('internal/whoami')
  async internalWhoami(@Headers('x-internal-token') token: string) {
    return this.auth.verifyInternalToken(token);
  }

  @Post('password/forgot')
  async forgot(@Body('email') email: string) {
    await this.auth.startPasswordResetLegacy(email);
    await this.auth.startPasswordReset(email);
    return { ok: true };
  }

  @Get('sso/callback')
  @Redirect('/')
  ssoCallback(@Query('returnTo') returnTo: string) {
    return { url: returnTo }; // VULN: open-redirect
  }

  @Get('sso/callback/v2')
  @Redirect('/')
  ssoCallbackV2(@Query('returnTo') returnTo: string) {
    let target: URL | undefined;
    try {
      target = new URL(returnTo);
    } catch {
      target = undefined;
    }
    const url = target && target.protocol === 'https:' && SSO_ALLOWED_RETURN_HOSTS.has(target.hostname) ? target.toString() : '/';
    return { url }; // SAFE: open-redirect
  }

  @Get('logout')
  @UseGuards(SessionGuard)
  logout(@Query('next') next: string, @Res() res: Response) {
    res.clearCookie('sid');
    const destination = next && next.includes('example.com') ? next : '/';
    res.redirect(destination); // VULN: open-redirect
  }

  @Get('switch-tenant')
  @UseGuards(SessionGuard)
  switchTenant(@Query('tenant') tenant: string, @Res() res: Response) {
    const slug = /^[a-z0-9-]{1,32}$/.test(tenant) ? tenant : 'default';
    res.redirect(`https://${slug}.app.example.com/dashboard`); // SAFE: open-redirect
  }
}
