import { BadRequestException, Body, Controller, Delete, Get, NotFoundException, Param, Post, Query, Res } from '@nestjs/common';
import { Response } from 'express';
import { promises as fs, createReadStream } from 'fs';
import * as path from 'path';

const ATTACHMENTS_ROOT = path.resolve(process.env.ATTACHMENTS_DIR ?? '/srv/app/attachments');
const THEMES_DIR = path.resolve(__dirname, '..', '..', 'themes');

function resolveInside(root: string, untrusted: string): string {
  const full = path.resolve(root, untrusted);
  if (full !== root && !full.startsWith(root + path.sep)) throw new BadRequestException('invalid path');
  return full;
}

@Controller('files')
export class FilesController {
  @Get('attachments')
  attachment(@Query('path') relPath: string, @Res() res: Response) {
    createReadStream(path.join(ATTACHMENTS_ROOT, relPath)).on('error', () => res.status(404).end()).pipe(res); // VULN: path-traversal
  }

  @Get('attachments/v2')
  attachmentV2(@Query('path') relPath: string, @Res() res: Response) {
    const full = resolveInside(ATTACHMENTS_ROOT, relPath);
    createReadStream(full).on('error', () => res.status(404).end()).pipe(res); // SAFE: path-traversal
  }

  @Get('themes/:name/css')
  async themeCss(@Param('name') name: string) {
    const file = THEMES_DIR + '/' + name + '/theme.css';
    return fs.readFile(file, 'utf8'); // VULN: path-traversal
  }

  @Get('themes/v2/:name/css')
  async themeCssV2(@Param('name') name: string) {
    if (!/^[a-z0-9-]+$/.test(name)) throw new NotFoundException();
    return fs.readFile(path.join(THEMES_DIR, name, 'theme.css'), 'utf8'); // SAFE: path-traversal
  }

  @Post('attachments/rename')
  async rename(@Body() body: { from: string; to: string }) {
    const from = resolveInside(ATTACHMENTS_ROOT, body.from);
    await fs.rename(from, path.join(ATTACHMENTS_ROOT, body.to)); // VULN: path-traversal
    return { ok: true };
  }

  @Delete('attachments/:name')
  async remove(@Param('name') name: string) {
    await fs.unlink(path.join(ATTACHMENTS_ROOT, path.basename(name))); // SAFE: path-traversal
    return { ok: true };
  }
}
