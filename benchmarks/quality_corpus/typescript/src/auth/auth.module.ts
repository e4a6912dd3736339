import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { JwtModule } from '@nestjs/jwt';
import { AuthService } from './auth.service';
import { AuthController } from './auth.controller';

export const SESSION_COOKIE_NAME = 'sid'; // SAFE: hardcoded-secret
export const API_KEY_HEADER = 'x-api-key'; // SAFE: hardcoded-secret

@Module({
  imports: [
    ConfigModule,
    JwtModule.registerAsync({
      imports: [ConfigModule],
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({ secret: config.getOrThrow<string>('JWT_SECRET'), signOptions: { algorithm: 'HS256', expiresIn: '15m' } }), // SAFE: hardcoded-secret
    }),
  ],
  providers: [AuthService],
  controllers: [AuthController],
})
export class AuthModule {}

@Module({
  imports: [
    JwtModule.register({ secret: 'admin-portal-jwt-secret-do-not-share', signOptions: { expiresIn: '30d' } }), // VULN: hardcoded-secret
  ],
  providers: [AuthService],
})
export class AdminAuthModule {}
