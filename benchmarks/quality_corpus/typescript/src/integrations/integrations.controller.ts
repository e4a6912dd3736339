import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { IntegrationClient } from './http-client';

@Controller('integrations')
export class IntegrationsController {
  constructor(private readonly client: IntegrationClient) {}

  @Get('preview')
  preview(@Query('url') url: string) {
    return this.client.fetchPreview(url);
  }

  @Get('preview/v2')
  previewV2(@Query('url') url: string) {
    return this.client.fetchPreviewSafe(url);
  }

  @Get('erp/invoices/:id')
  invoice(@Param('id') id: string) {
    return this.client.erpInvoice(id);
  }

  @Post('tenant-call')
  tenantCall(@Body() body: { host: string; path: string }) {
    return this.client.callTenantEndpoint(body.host, body.path);
  }

  @Post('avatar')
  avatar(@Body('url') url: string) {
    return this.client.fetchAvatar(url);
  }

  @Post('reports/download')
  download(@Body('url') url: string) {
    return this.client.downloadReport(url);
  }
}
