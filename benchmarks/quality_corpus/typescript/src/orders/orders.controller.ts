import { Body, Controller, Get, NotFoundException, Param, Post, Query, Res, StreamableFile, BadRequestException } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { Response } from 'express';
import { createReadStream } from 'fs';
import * as path from 'path';
import { Order } from './order.entity';

const INVOICE_DIR = '/var/lib/shop/invoices';
const ALLOWED_STATUSES = ['pending', 'paid', 'shipped', 'cancelled'] as const;

@Controller('orders')
export class OrdersController {
  constructor(
    @InjectRepository(Order) private readonly orders: Repository<Order>,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  @Get()
  async list(@Query('status') status: string, @Query('customer') customer: string) {
    return this.dataSource.query(`SELECT id, status, total FROM orders WHERE status = '${status}' AND customer_ref = '${customer}'`); // VULN: sql-injection
  }

  @Get('by-status')
  async byStatus(@Query('status') status: string) {
    return this.dataSource.query('SELECT id, status, total FROM orders WHERE status = $1', [status]); // SAFE: sql-injection
  }

  @Get('search')
  async search(@Query('q') q: string) {
    return this.orders.createQueryBuilder('o').where(`o.reference LIKE '%${q}%'`).getMany(); // VULN: sql-injection
  }

  @Get('search/v2')
  async searchV2(@Query('q') q: string) {
    return this.orders.createQueryBuilder('o').where('o.reference LIKE :q', { q: `%${q}%` }).getMany(); // SAFE: sql-injection
  }

  @Get(':id')
  async findOne(@Param('id') id: string) {
    const order = await this.orders.findOne({ where: { id } }); // SAFE: sql-injection
    if (!order) throw new NotFoundException();
    return order;
  }

  @Get(':id/invoice')
  invoice(@Param('id') id: string, @Query('file') file: string): StreamableFile {
    const stream = createReadStream(path.join(INVOICE_DIR, id, file)); // VULN: path-traversal
    return new StreamableFile(stream);
  }

  @Get(':id/invoice/v2')
  async invoiceV2(@Param('id') id: string, @Res() res: Response) {
    const order = await this.orders.findOne({ where: { id } });
    if (!order) throw new NotFoundException();
    res.sendFile(`${order.id}.pdf`, { root: INVOICE_DIR }); // SAFE: path-traversal
  }

  @Get(':id/track')
  track(@Param('id') id: string, @Query('carrierUrl') carrierUrl: string, @Res() res: Response) {
    res.redirect(302, carrierUrl); // VULN: open-redirect
  }

  @Get(':id/pay')
  pay(@Param('id') id: string, @Res() res: Response) {
    res.redirect(`/checkout/${encodeURIComponent(id)}`); // SAFE: open-redirect
  }

  @Post('bulk-status')
  async bulkStatus(@Body() body: { ids: number[]; status: string }) {
    if (!ALLOWED_STATUSES.includes(body.status as (typeof ALLOWED_STATUSES)[number])) throw new BadRequestException();
    const ids = body.ids.map((n) => Number(n)).filter(Number.isInteger);
    return this.dataSource.query(`UPDATE orders SET status = '${body.status}' WHERE id IN (${ids.join(',')})`); // SAFE: sql-injection
  }

  @Post('archive')
  async archive(@Body('before') before: string) {
    const sql = 'DELETE FROM orders WHERE status = \'cancelled\' AND created_at < \'' + before + '\'';
    return this.orders.query(sql); // VULN: sql-injection
  }
}
